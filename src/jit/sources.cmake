# The JIT: jit.c is shared by all backends; each backend is a file of its own.
target_sources(bpfrt PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/jit/jit.c
  ${CMAKE_CURRENT_SOURCE_DIR}/jit/x86_64.c
  ${CMAKE_CURRENT_SOURCE_DIR}/jit/x86_64_insn.c
)
