# Warning flags for every target of ours (mha_warnings is linked by mha_module/mha_executable).
add_library(mha_warnings INTERFACE)
target_compile_options(mha_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast
  -Woverloaded-virtual -Wnull-dereference -Wimplicit-fallthrough)
if(MHA_WERROR)
  target_compile_options(mha_warnings INTERFACE -Werror)
endif()
