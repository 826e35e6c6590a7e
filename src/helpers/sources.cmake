target_sources(bpfrt PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/helpers.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/map.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/time.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/task.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/print.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/string.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/probe.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/ringbuf.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/control.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/packet.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/stack.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/xdp.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/perf.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/cookie.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/override.c
  ${CMAKE_CURRENT_SOURCE_DIR}/helpers/license.c
)
