# The ELF loader reads objects with elfutils' libelf (Debian: libelf-dev).
find_library(LIBELF elf REQUIRED)
# zlib reads /proc/config.gz for .kconfig externs.
find_package(ZLIB REQUIRED)
target_sources(bpfrt PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/loader/elf.c
  ${CMAKE_CURRENT_SOURCE_DIR}/loader/sec.c
  ${CMAKE_CURRENT_SOURCE_DIR}/loader/progs.c
  ${CMAKE_CURRENT_SOURCE_DIR}/loader/mapdefs.c
  ${CMAKE_CURRENT_SOURCE_DIR}/loader/btf_maps.c
  ${CMAKE_CURRENT_SOURCE_DIR}/loader/link.c
  ${CMAKE_CURRENT_SOURCE_DIR}/loader/core.c
  ${CMAKE_CURRENT_SOURCE_DIR}/loader/object.c
  ${CMAKE_CURRENT_SOURCE_DIR}/loader/btf_dump.c
  ${CMAKE_CURRENT_SOURCE_DIR}/loader/kconfig.c
)
target_link_libraries(bpfrt PUBLIC ${LIBELF} ZLIB::ZLIB)
