# Classic BPF: tcpdump -dd text, checked and translated to eBPF as Linux does.
target_sources(bpfrt PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/cbpf/parse.c
  ${CMAKE_CURRENT_SOURCE_DIR}/cbpf/translate.c
)
