# tracebench_add_module(NAME DIR [DEPS target...] [PRIVATE_DEPS target...])
# One folder, one static library tracebench_NAME (alias tracebench::NAME): the sources in
# DIR/src, the public headers in DIR/include. Its link list is the set of modules it may include:
# a header of a module not listed (directly or through a listed one) is not on the include path,
# so a wrong include fails the build.
function(tracebench_add_module name dir)
  cmake_parse_arguments(PARSE_ARGV 2 arg "" "" "DEPS;PRIVATE_DEPS")
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/src/*.cpp)
  add_library(tracebench_${name} STATIC ${sources})
  add_library(tracebench::${name} ALIAS tracebench_${name})
  target_include_directories(tracebench_${name} PUBLIC ${dir}/include PRIVATE ${dir}/src)
  target_link_libraries(tracebench_${name} PUBLIC ${arg_DEPS} PRIVATE ${arg_PRIVATE_DEPS} tracebench_warnings)
  target_compile_features(tracebench_${name} PUBLIC cxx_std_20)
endfunction()
