//! Differential scripts of the connection family (one test per script).
diff_scripts!(connection: ping_echo, select, quit_reset, hello, auth, auth_requirepass, client, client_help, unknown, arity);
