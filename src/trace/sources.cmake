# Process hooks (bpfrt trace): system calls and uprobes of user processes via ptrace.
# The x86-64 system call numbers come from the kernel headers the build sees.
find_file(BPFRT_UNISTD_64 asm/unistd_64.h PATHS /usr/include/x86_64-linux-gnu /usr/include
          REQUIRED)
file(STRINGS ${BPFRT_UNISTD_64} nr_lines REGEX "^#define __NR_[a-z0-9_]+ [0-9]+")
set(syscall_table "")
foreach(line ${nr_lines})
  string(REGEX REPLACE "^#define __NR_([a-z0-9_]+) ([0-9]+).*" "{ \"\\1\", \\2 }," entry "${line}")
  string(APPEND syscall_table "${entry}\n")
endforeach()
file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/trace/syscall_names.inc.tmp "${syscall_table}")
configure_file(${CMAKE_CURRENT_BINARY_DIR}/trace/syscall_names.inc.tmp
               ${CMAKE_CURRENT_BINARY_DIR}/trace/syscall_names.inc COPYONLY)
target_include_directories(bpfrt PRIVATE ${CMAKE_CURRENT_BINARY_DIR}/trace)
target_sources(bpfrt PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/syscalls.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/tpformat.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/hooks.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/seccomp.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/tasks.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/tracer.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/elfsym.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/usdtnote.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/usdtarg.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/procmaps.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/uprobe.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/inject.c
)
target_sources(bpfrt PRIVATE
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/x86insn.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/tramp.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/ehframe.c
  ${CMAKE_CURRENT_SOURCE_DIR}/trace/syspatch.c
)

# The in-process agent bpfrt trace preloads into launched commands: libbpfrt
# (static, PIC) inside a shared library, exporting nothing.
add_library(bpfrt_agent SHARED ${CMAKE_CURRENT_SOURCE_DIR}/trace/agent.c
            ${CMAKE_CURRENT_SOURCE_DIR}/trace/dlnotify.c
            ${CMAKE_CURRENT_SOURCE_DIR}/trace/sud.c)
target_include_directories(bpfrt_agent PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}
                           ${CMAKE_CURRENT_SOURCE_DIR}/trace)
if(BPFRT_SANITIZE)
  # The sanitizer runtime must be the first library of a process, which a
  # preloaded library into an uninstrumented command cannot be: sanitized
  # builds compile the agent's own copy of the library without sanitizers.
  get_target_property(agent_srcs bpfrt SOURCES)
  set(agent_abs "")
  foreach(f ${agent_srcs})
    get_filename_component(f ${f} ABSOLUTE BASE_DIR ${CMAKE_CURRENT_SOURCE_DIR})
    list(APPEND agent_abs ${f})
  endforeach()
  target_sources(bpfrt_agent PRIVATE ${agent_abs})
  target_include_directories(bpfrt_agent PRIVATE ${PROJECT_SOURCE_DIR}/include
                             ${CMAKE_CURRENT_BINARY_DIR}/trace)
  target_compile_options(bpfrt_agent PRIVATE -fno-sanitize=all)
  target_link_options(bpfrt_agent PRIVATE -fno-sanitize=all)
  # What libbpfrt itself links (libelf, threads...), whatever the folders add.
  target_link_libraries(bpfrt_agent PRIVATE $<TARGET_PROPERTY:bpfrt,INTERFACE_LINK_LIBRARIES>)
else()
  target_link_libraries(bpfrt_agent PRIVATE bpfrt -Wl,--exclude-libs,ALL)
endif()
set_target_properties(bpfrt_agent PROPERTIES OUTPUT_NAME bpfrt_agent C_VISIBILITY_PRESET hidden
                      LIBRARY_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR})
