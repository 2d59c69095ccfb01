# MHA_SANITIZE=address,undefined (CI) or thread. Unknown values stop the configure step.
if(MHA_SANITIZE)
  if(NOT MHA_SANITIZE MATCHES "^(address,undefined|address|undefined|thread)$")
    message(FATAL_ERROR "MHA_SANITIZE='${MHA_SANITIZE}' is not one of address,undefined|thread")
  endif()
  add_compile_options(-fsanitize=${MHA_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all -g)
  add_link_options(-fsanitize=${MHA_SANITIZE})
endif()
