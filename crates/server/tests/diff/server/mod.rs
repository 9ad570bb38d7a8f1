//! Differential scripts of the server family (one test per script).
diff_scripts!(server: config, config_help, info_time, admin, command_info, shutdown, maxmemory);
