# Debian packages, built with CPack from a configured and built tree:
#
#   cmake --build build && (cd build && cpack -G DEB)
#
#   masterha-manager  every masterha_* tool, the systemd unit template, the logrotate snippet, man
#                     pages, sample configuration and the sample master_ip_failover script
#   masterha-node     masterha_node and its MHA-named links, for each database host
#
# Install rules land in the "manager" component unless they say otherwise
# (CMAKE_INSTALL_DEFAULT_COMPONENT_NAME in the top-level CMakeLists.txt); src/node switches its
# directory to "node". Included at the end of the top-level CMakeLists.txt, after every install
# rule. Checked by tests/ops/package_test.sh; see docs/operations.md.

# ---- files only the packages carry -------------------------------------------------------------

# Absolute destinations, so EXCLUDE_FROM_ALL: a plain `cmake --install` into /usr/local must not
# write to /etc or /lib (CPack installs per component, which includes them).
install(FILES ${PROJECT_SOURCE_DIR}/conf/systemd/masterha-manager@.service
        DESTINATION /lib/systemd/system COMPONENT manager EXCLUDE_FROM_ALL)
install(FILES ${PROJECT_SOURCE_DIR}/conf/logrotate.d/masterha
        DESTINATION /etc/logrotate.d COMPONENT manager EXCLUDE_FROM_ALL)
# The unit's configuration directory (AssertPathExists=/etc/masterha/%i.cnf), empty.
install(DIRECTORY DESTINATION /etc/masterha COMPONENT manager EXCLUDE_FROM_ALL)

# ---- man pages (docs/man), gzipped as Debian policy wants ----------------------------------------

set(MHA_MAN_DIR ${PROJECT_BINARY_DIR}/man)  # a MANPATH entry: man1/*.1.gz
set(mha_manager_pages masterha_manager masterha_check_ssh masterha_check_repl
    masterha_check_status masterha_stop masterha_master_switch masterha_secondary_check
    masterha_conf_host)
set(mha_man_outputs)
foreach(page IN LISTS mha_manager_pages ITEMS masterha_node)
  set(src ${PROJECT_SOURCE_DIR}/docs/man/${page}.1)
  set(out ${MHA_MAN_DIR}/man1/${page}.1.gz)
  # -n: no name or time stamp inside, so rebuilt packages are identical.
  add_custom_command(OUTPUT ${out}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${MHA_MAN_DIR}/man1
    COMMAND sh -c "gzip -9 -n -c \"$1\" > \"$2\"" sh ${src} ${out}
    DEPENDS ${src}
    COMMENT "Compressing man page ${page}.1"
    VERBATIM)
  list(APPEND mha_man_outputs ${out})
endforeach()
add_custom_target(mha_man_pages ALL DEPENDS ${mha_man_outputs})

foreach(page IN LISTS mha_manager_pages)
  install(FILES ${MHA_MAN_DIR}/man1/${page}.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
          COMPONENT manager)
endforeach()
install(FILES ${MHA_MAN_DIR}/man1/masterha_node.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
        COMPONENT node)
# The node tools' MHA names open the same page (man save_binary_logs), as links like the binaries.
file(MAKE_DIRECTORY ${MHA_MAN_DIR}/man1)
foreach(tool save_binary_logs apply_diff_relay_logs purge_relay_logs)
  file(CREATE_LINK masterha_node.1.gz ${MHA_MAN_DIR}/man1/${tool}.1.gz SYMBOLIC)
  install(FILES ${MHA_MAN_DIR}/man1/${tool}.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1
          COMPONENT node)
endforeach()

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/operations.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/masterha-manager COMPONENT manager)
install(FILES ${PROJECT_SOURCE_DIR}/docs/node.md
        DESTINATION ${CMAKE_INSTALL_DATADIR}/doc/masterha-node COMPONENT node)

# ---- maintainer scripts and conffiles -------------------------------------------------------------

set(mha_deb_dir ${PROJECT_BINARY_DIR}/debian-control)
file(MAKE_DIRECTORY ${mha_deb_dir}/manager)
# dpkg keeps local edits of these across upgrades (debhelper would list /etc files by itself).
file(WRITE ${mha_deb_dir}/manager/conffiles "/etc/logrotate.d/masterha\n")
# systemd must learn about the new or removed unit; nothing is enabled or started by the package:
# which clusters to manage (masterha-manager@<app>) is the operator's decision. On removal,
# running managers are stopped, since their binary is about to disappear.
file(WRITE ${mha_deb_dir}/manager/postinst [=[#!/bin/sh
set -e
if [ "$1" = configure ] && [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
fi
]=])
file(WRITE ${mha_deb_dir}/manager/prerm [=[#!/bin/sh
set -e
if [ "$1" = remove ] && [ -d /run/systemd/system ]; then
  systemctl stop 'masterha-manager@*.service' >/dev/null 2>&1 || true
fi
]=])
file(WRITE ${mha_deb_dir}/manager/postrm [=[#!/bin/sh
set -e
if [ -d /run/systemd/system ]; then
  systemctl --system daemon-reload >/dev/null || true
fi
]=])
foreach(script postinst prerm postrm)
  file(CHMOD ${mha_deb_dir}/manager/${script} FILE_PERMISSIONS OWNER_READ OWNER_WRITE
       OWNER_EXECUTE GROUP_READ GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
endforeach()

# ---- CPack -------------------------------------------------------------------------------------

set(MHA_PACKAGE_MAINTAINER "masterha maintainers <masterha@localhost>"
    CACHE STRING "Maintainer field of the Debian packages")

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME masterha)
set(CPACK_PACKAGE_VENDOR masterha)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)  # RelWithDebInfo binaries are mostly debug info
set(CPACK_COMPONENTS_ALL manager node)
set(CPACK_DEB_COMPONENT_INSTALL ON)

set(CPACK_DEBIAN_PACKAGE_MAINTAINER ${MHA_PACKAGE_MAINTAINER})
set(CPACK_DEBIAN_PACKAGE_RELEASE 1)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # <name>_<version>-<release>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# Library dependencies (libmariadb3, libssh2-1, libspdlog1.10-fmt9, libfmt9, libssl3, libc6, ...)
# come from dpkg-shlibdeps, so they match what the binaries were really linked against.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)

set(CPACK_DEBIAN_MANAGER_PACKAGE_NAME masterha-manager)
set(CPACK_DEBIAN_MANAGER_PACKAGE_SECTION admin)
# openssh-client: the sample master_ip_failover script and site scripts run ssh(1); the manager
# itself speaks SSH through libssh2. procps: the unit's ExecReload runs /bin/kill.
set(CPACK_DEBIAN_MANAGER_PACKAGE_DEPENDS "openssh-client, procps")
set(CPACK_DEBIAN_MANAGER_PACKAGE_RECOMMENDS "logrotate")
set(CPACK_DEBIAN_MANAGER_PACKAGE_SUGGESTS "masterha-node")
# Same program names in /usr/bin as MHA's Perl packages.
set(CPACK_DEBIAN_MANAGER_PACKAGE_CONFLICTS "mha4mysql-manager")
set(CPACK_DEBIAN_MANAGER_PACKAGE_CONTROL_EXTRA
    "${mha_deb_dir}/manager/conffiles;${mha_deb_dir}/manager/postinst;${mha_deb_dir}/manager/prerm;${mha_deb_dir}/manager/postrm")
# Descriptions: the summary line, then the long text; CPack indents it and turns empty lines
# into " .".
set(CPACK_DEBIAN_MANAGER_DESCRIPTION
    "failover manager for MySQL and MariaDB replication (MHA successor)
masterha watches a replication master and, when it dies, promotes the
replica with the latest data, re-points the others and runs the VIP
script. It reads MHA configuration files and keeps MHA's commands,
options, exit codes and status codes: masterha_manager, masterha_check_ssh,
masterha_check_repl, masterha_check_status, masterha_stop,
masterha_master_switch, masterha_secondary_check, masterha_conf_host.

Includes a systemd unit template (masterha-manager@<app>.service).")

set(CPACK_DEBIAN_NODE_PACKAGE_NAME masterha-node)
set(CPACK_DEBIAN_NODE_PACKAGE_SECTION database)
# mysqlbinlog/mariadb-binlog and mysql, which the helper runs.
set(CPACK_DEBIAN_NODE_PACKAGE_DEPENDS "mariadb-client | default-mysql-client")
set(CPACK_DEBIAN_NODE_PACKAGE_CONFLICTS "mha4mysql-node")
set(CPACK_DEBIAN_NODE_DESCRIPTION
    "masterha helper for the database hosts
masterha_node is run over SSH by masterha-manager during a failover: it
saves the dead master's binary logs and finds, generates and applies
relay log differences. It is also installed under MHA's node tool names
save_binary_logs, apply_diff_relay_logs and purge_relay_logs.")

include(CPack)
