# Debian package of the plugin, built with CPack:  cmake --build build --target package
# It installs the plugin into the system plugin folder of the Wireshark it was built against and
# depends on that libwireshark package, same major.minor (a plugin built for 4.0 refuses to
# load in 4.2). SPDX-License-Identifier: GPL-2.0-or-later

# Which Debian package provides the libwireshark we link: ask dpkg about the imported library.
get_target_property(_ws_lib epan IMPORTED_LOCATION_NONE)
if(NOT _ws_lib)
  get_target_property(_ws_lib epan IMPORTED_LOCATION_RELEASE)
endif()
execute_process(COMMAND dpkg-query -S "${_ws_lib}" OUTPUT_VARIABLE _ws_owner
                OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
string(REGEX REPLACE ":.*" "" _ws_package "${_ws_owner}")
if(NOT _ws_package)
  set(_ws_package "libwireshark${Wireshark_VERSION_MAJOR}${Wireshark_VERSION_MINOR}")
  message(WARNING "cmsedge: dpkg does not know ${_ws_lib}; the package will depend on ${_ws_package}")
endif()
math(EXPR _ws_next_minor "${Wireshark_VERSION_MINOR} + 1")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME wireshark-cmsedge)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "cmsedge engineering <engineering@cmsedge.invalid>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "Wireshark plugin: Cisco Meeting Server edge traffic against Cisco's port reference")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "cmsedge tells what every frame of a capture taken at an Expressway-C/E edge in front of a\n\
Cisco Meeting Server is for, according to Cisco's published port reference, and warns when\n\
the traffic is not what the reference documents. Plugin for Wireshark and tshark ${Wireshark_VERSION_MAJOR}.${Wireshark_VERSION_MINOR}.")
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "${_ws_package} (>= ${Wireshark_VERSION_MAJOR}.${Wireshark_VERSION_MINOR}), ${_ws_package} (<< ${Wireshark_VERSION_MAJOR}.${_ws_next_minor}~)")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_FILE_NAME "${CPACK_PACKAGE_NAME}_${PROJECT_VERSION}_amd64")

# docs and changelog, where Debian puts them
set(_doc share/doc/wireshark-cmsedge)
file(READ ${PROJECT_SOURCE_DIR}/packaging/changelog _changelog)
file(WRITE ${PROJECT_BINARY_DIR}/packaging/changelog "${_changelog}")
add_custom_command(OUTPUT ${PROJECT_BINARY_DIR}/packaging/changelog.gz
                   COMMAND gzip -9 -n -f -k ${PROJECT_BINARY_DIR}/packaging/changelog
                   DEPENDS ${PROJECT_SOURCE_DIR}/packaging/changelog)
add_custom_target(cmsedge_changelog ALL DEPENDS ${PROJECT_BINARY_DIR}/packaging/changelog.gz)
install(FILES ${PROJECT_BINARY_DIR}/packaging/changelog.gz DESTINATION ${_doc} COMPONENT plugin)
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${_doc} COMPONENT plugin)
install(FILES ${PROJECT_SOURCE_DIR}/tables/README.md DESTINATION ${_doc} RENAME README.tables.md
        COMPONENT plugin)
install(FILES ${PROJECT_SOURCE_DIR}/COPYING DESTINATION ${_doc} RENAME copyright COMPONENT plugin)
include(CPack)
