# XDP: frames in the kernel's xdp_buff layout, and the port that runs programs on them.
target_sources(bpfrt PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/xdp/buff.c
  ${CMAKE_CURRENT_SOURCE_DIR}/xdp/port.c
)
