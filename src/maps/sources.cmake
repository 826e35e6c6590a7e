# Maps: the kernel's map types in shared memory (see map_impl.h).
target_sources(bpfrt PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/map.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/map_user.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/map_prog.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/batch.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/pin.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/region.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/cpus.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/shlock.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/jhash.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/array.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/hash.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/hash_alloc.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/lpm.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/queue.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/bloom.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/ringbuf.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/ringbuf_user.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/devmap.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/perf_event_array.c
  ${CMAKE_CURRENT_SOURCE_DIR}/maps/perf_buffer.c
)
