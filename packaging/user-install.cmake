# Installs the built plugin into, or removes it from, the running user's personal plugin folder
# for the Wireshark it was built against: ~/.local/lib/wireshark/plugins/<major.minor>/epan.
#   cmake --build build --target install-user     (or uninstall-user)
# Run as a script by those targets (cmake -DACTION=install|uninstall -DPLUGIN=... -DWS_VERSION=...
# -P user-install.cmake), so HOME is read when the target runs, not when the tree was configured.
# SPDX-License-Identifier: GPL-2.0-or-later
if(NOT DEFINED ENV{HOME} OR "$ENV{HOME}" STREQUAL "")
  message(FATAL_ERROR "HOME is not set: cannot tell where the personal plugin folder is")
endif()
get_filename_component(name "${PLUGIN}" NAME)
set(dir "$ENV{HOME}/.local/lib/wireshark/plugins/${WS_VERSION}/epan")
if(ACTION STREQUAL "install")
  file(MAKE_DIRECTORY "${dir}")
  file(COPY_FILE "${PLUGIN}" "${dir}/${name}")
  message(STATUS "cmsedge: installed ${dir}/${name}")
elseif(ACTION STREQUAL "uninstall")
  if(EXISTS "${dir}/${name}")
    file(REMOVE "${dir}/${name}")
    message(STATUS "cmsedge: removed ${dir}/${name}")
  else()
    message(STATUS "cmsedge: ${dir}/${name} was not installed")
  endif()
else()
  message(FATAL_ERROR "ACTION must be install or uninstall")
endif()
execute_process(COMMAND id -u OUTPUT_VARIABLE uid OUTPUT_STRIP_TRAILING_WHITESPACE)
if(uid STREQUAL "0")
  message(WARNING "Wireshark ignores the personal plugin folder when run as root: install into "
                  "the system folder (cmake --install build) or run Wireshark as an ordinary user")
endif()
