# Install rules and the Debian package (CPack DEB): `cpack -G DEB` in the build directory makes
# mamori_<version>_amd64.deb. Layout (Debian 12):
#   /usr/bin/mamorid, /usr/bin/mamorictl
#   /lib/systemd/system/mamorid.service
#   /usr/lib/sysusers.d/mamori.conf, /usr/lib/tmpfiles.d/mamori.conf
#   /etc/mamori/mamori.toml                      (conffile: the example configuration)
#   /usr/share/mamori/playbooks/**.toml          (default playbooks, templates, city example)
#   /usr/share/mamori/rumours/starter.toml        (starter set of recurring disaster rumours)
#   /usr/share/mamori/sql/*.sql                  (migrations; also compiled into the binaries)
#   /usr/share/mamori/{prometheus,grafana}/      (alerting rules, scrape config, dashboards)
#   /usr/share/doc/mamori/                       (README, docs, copyright, changelog.gz)
# Paths outside the prefix are absolute on purpose: Debian 12 wants units in /lib/systemd/system
# and the configuration in /etc whatever the prefix. Override them for a source install elsewhere.
include(GNUInstallDirs)

set(MAMORI_PACKAGE_MAINTAINER "mamori developers <mamori@example.org>"
    CACHE STRING "Maintainer field of the Debian package (\"Name <address>\")")
set(MAMORI_SYSTEMD_UNIT_DIR "/lib/systemd/system" CACHE PATH "Where the systemd unit is installed")
set(MAMORI_SYSUSERS_DIR "/usr/lib/sysusers.d" CACHE PATH "Where the sysusers.d snippet is installed")
set(MAMORI_TMPFILES_DIR "/usr/lib/tmpfiles.d" CACHE PATH "Where the tmpfiles.d snippet is installed")
set(MAMORI_CONFIG_DIR "/etc/mamori" CACHE PATH "Where the configuration file is installed")

set(mamori_data_dir ${CMAKE_INSTALL_DATADIR}/mamori)
set(mamori_doc_dir ${CMAKE_INSTALL_DATADIR}/doc/mamori)
set(mamori_read_only OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)

install(TARGETS mamorid mamorictl RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/mamorid.service
        DESTINATION ${MAMORI_SYSTEMD_UNIT_DIR} PERMISSIONS ${mamori_read_only})
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/mamori.sysusers
        DESTINATION ${MAMORI_SYSUSERS_DIR} RENAME mamori.conf PERMISSIONS ${mamori_read_only})
install(FILES ${CMAKE_SOURCE_DIR}/deploy/systemd/mamori.tmpfiles
        DESTINATION ${MAMORI_TMPFILES_DIR} RENAME mamori.conf PERMISSIONS ${mamori_read_only})
# No secrets in it (they come through LoadCredential=), so it may be world-readable; /etc/mamori
# itself is 0750 root:mamori (tmpfiles).
install(FILES ${CMAKE_SOURCE_DIR}/deploy/config/mamori.example.toml
        DESTINATION ${MAMORI_CONFIG_DIR} RENAME mamori.toml PERMISSIONS ${mamori_read_only})

install(DIRECTORY ${CMAKE_SOURCE_DIR}/playbooks/ DESTINATION ${mamori_data_dir}/playbooks
        FILE_PERMISSIONS ${mamori_read_only}
        FILES_MATCHING PATTERN "*.toml" PATTERN "engine" EXCLUDE)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/deploy/rumours/ DESTINATION ${mamori_data_dir}/rumours
        FILE_PERMISSIONS ${mamori_read_only}
        FILES_MATCHING PATTERN "*.toml")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/deploy/sql/ DESTINATION ${mamori_data_dir}/sql
        FILE_PERMISSIONS ${mamori_read_only}
        FILES_MATCHING PATTERN "*.sql")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/deploy/prometheus/ DESTINATION ${mamori_data_dir}/prometheus
        FILE_PERMISSIONS ${mamori_read_only}
        FILES_MATCHING PATTERN "*.yml" PATTERN "tests" EXCLUDE)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/grafana/ DESTINATION ${mamori_data_dir}/grafana
        FILE_PERMISSIONS ${mamori_read_only}
        FILES_MATCHING PATTERN "*.yml" PATTERN "*.json" PATTERN "*.sql")

# Documentation. A native package's changelog is changelog.gz, compressed without a timestamp.
string(TIMESTAMP MAMORI_CHANGELOG_DATE "%a, %d %b %Y %H:%M:%S +0000" UTC)
set(mamori_pkg_dir ${CMAKE_BINARY_DIR}/packaging)
configure_file(${CMAKE_SOURCE_DIR}/deploy/debian/changelog.in ${mamori_pkg_dir}/changelog @ONLY)
execute_process(COMMAND gzip -9nf ${mamori_pkg_dir}/changelog RESULT_VARIABLE gzip_result)
if(NOT gzip_result EQUAL 0)
  message(FATAL_ERROR "gzip failed on ${mamori_pkg_dir}/changelog")
endif()
install(FILES ${mamori_pkg_dir}/changelog.gz ${CMAKE_SOURCE_DIR}/deploy/debian/copyright
        DESTINATION ${mamori_doc_dir} PERMISSIONS ${mamori_read_only})
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${mamori_doc_dir} PERMISSIONS ${mamori_read_only})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/docs/ DESTINATION ${mamori_doc_dir}
        FILE_PERMISSIONS ${mamori_read_only}
        FILES_MATCHING PATTERN "*.md")
install(FILES ${CMAKE_SOURCE_DIR}/playbooks/README.md DESTINATION ${mamori_doc_dir}
        RENAME playbooks.md PERMISSIONS ${mamori_read_only})

# The Debian package.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME mamori)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT ${MAMORI_PACKAGE_MAINTAINER})
set(CPACK_STRIP_FILES ON)  # debug info would make the package ~15 times larger
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # mamori_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${MAMORI_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# The maintainer scripts run systemd-sysusers and systemd-tmpfiles (from systemd, or the
# standalone packages on systems booted without it).
set(CPACK_DEBIAN_PACKAGE_DEPENDS
    "systemd | systemd-standalone-sysusers | systemd-sysusers, systemd | systemd-standalone-tmpfiles | systemd-tmpfiles")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postgresql (>= 15) | postgresql-client")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "prometheus")
# CPack writes the summary as the synopsis line and indents the description below it; an empty
# line becomes the " ." paragraph separator.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "incident-response monitoring for municipal social-media accounts")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "mamori watches a Japanese local government's official accounts on X,
Bluesky and Mastodon and notices impersonation, flame-ups, misinformation
in replies and account takeover early. It walks staff through the
response their social-media guideline prescribes: a checklist, drafted
Japanese documents, alerts to the on-call person and a who/when record.

This package contains the daemon mamorid (a systemd service), the
administration tool mamorictl, the default playbooks, the database
migrations, Prometheus alerting rules and Grafana dashboards.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_SOURCE_DIR}/deploy/debian/conffiles ${CMAKE_SOURCE_DIR}/deploy/debian/postinst
    ${CMAKE_SOURCE_DIR}/deploy/debian/prerm ${CMAKE_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
include(CPack)
