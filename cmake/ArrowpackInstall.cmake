# install(EXPORT) + a package config so that find_package(arrowpack) works after install.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(_arrowpack_targets arrowpack_core arrowpack_registry arrowpack_adapters arrowpack_transport arrowpack_c
                        arrowpack_build_flags)
if(ARROWPACK_HAVE_ZMQ)
  list(APPEND _arrowpack_targets arrowpack_transport_zmq)
endif()
install(TARGETS ${_arrowpack_targets}
        EXPORT arrowpackTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY core/include/arrowpack registry/include/arrowpack adapters/include/arrowpack capi/include/arrowpack
                  transport/include/arrowpack
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT arrowpackTargets NAMESPACE arrowpack:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/arrowpack)
configure_package_config_file(cmake/arrowpackConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/arrowpackConfig.cmake
                              INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/arrowpack)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/arrowpackConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/arrowpackConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/arrowpackConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/arrowpack)
if(ARROWPACK_BUILD_TOOLS)
  install(TARGETS arrowpack_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
endif()
