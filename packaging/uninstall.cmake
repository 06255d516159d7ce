# Removes what `cmake --install` put in place, as listed in the build tree's install_manifest.txt
# (honouring DESTDIR as the install did):   cmake --build build --target uninstall
# Run as a script by that target (cmake -DMANIFEST=... -P uninstall.cmake).
# SPDX-License-Identifier: GPL-2.0-or-later
if(NOT EXISTS "${MANIFEST}")
  message(FATAL_ERROR "cmsedge: ${MANIFEST} not found: nothing was installed from this build tree "
                      "(cmake --install writes it)")
endif()
file(STRINGS "${MANIFEST}" files)
set(dirs "")
foreach(f IN LISTS files)
  set(f "$ENV{DESTDIR}${f}")
  if(EXISTS "${f}" OR IS_SYMLINK "${f}")
    file(REMOVE "${f}")
    if(EXISTS "${f}" OR IS_SYMLINK "${f}")
      message(FATAL_ERROR "cmsedge: could not remove ${f}")
    endif()
    message(STATUS "cmsedge: removed ${f}")
    get_filename_component(dir "${f}" DIRECTORY)
    list(APPEND dirs "${dir}")
  else()
    message(STATUS "cmsedge: ${f} was not installed")
  endif()
endforeach()
# the project's own folders (the docs, the profile), once empty; shared folders such as epan/ stay
list(REMOVE_DUPLICATES dirs)
foreach(dir IN LISTS dirs)
  get_filename_component(name "${dir}" NAME)
  file(GLOB left "${dir}/*")
  if((name STREQUAL "wireshark-cmsedge" OR name STREQUAL "Cisco Meeting Server Edge") AND NOT left)
    file(REMOVE_RECURSE "${dir}")
    message(STATUS "cmsedge: removed ${dir}/")
  endif()
endforeach()
