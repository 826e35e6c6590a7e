# The verifier: value tracking, states, the search, and its messages.
target_sources(bpfrt PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/verifier/tnum.c
  ${CMAKE_CURRENT_SOURCE_DIR}/verifier/bounds.c
  ${CMAKE_CURRENT_SOURCE_DIR}/verifier/state.c
  ${CMAKE_CURRENT_SOURCE_DIR}/verifier/cfg.c
  ${CMAKE_CURRENT_SOURCE_DIR}/verifier/precise.c
  ${CMAKE_CURRENT_SOURCE_DIR}/verifier/alu.c
  ${CMAKE_CURRENT_SOURCE_DIR}/verifier/jmp.c
  ${CMAKE_CURRENT_SOURCE_DIR}/verifier/mem.c
  ${CMAKE_CURRENT_SOURCE_DIR}/verifier/ctx.c
  ${CMAKE_CURRENT_SOURCE_DIR}/verifier/call.c
  ${CMAKE_CURRENT_SOURCE_DIR}/verifier/explore.c
  ${CMAKE_CURRENT_SOURCE_DIR}/verifier/log.c
)
