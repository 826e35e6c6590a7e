# src/btf: .BTF and .BTF.ext, read by bpfrt itself (see btf.h).
target_sources(bpfrt PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/btf/parse.c
  ${CMAKE_CURRENT_SOURCE_DIR}/btf/check.c
  ${CMAKE_CURRENT_SOURCE_DIR}/btf/index.c
  ${CMAKE_CURRENT_SOURCE_DIR}/btf/query.c
  ${CMAKE_CURRENT_SOURCE_DIR}/btf/datasec.c
  ${CMAKE_CURRENT_SOURCE_DIR}/btf/maps.c
  ${CMAKE_CURRENT_SOURCE_DIR}/btf/ext.c
  ${CMAKE_CURRENT_SOURCE_DIR}/btf/lines.c
  ${CMAKE_CURRENT_SOURCE_DIR}/btf/core.c
  ${CMAKE_CURRENT_SOURCE_DIR}/btf/core_compat.c
  ${CMAKE_CURRENT_SOURCE_DIR}/btf/dump_raw.c
  ${CMAKE_CURRENT_SOURCE_DIR}/btf/dump_c.c
  ${CMAKE_CURRENT_SOURCE_DIR}/btf/dump_cdecl.c
)
