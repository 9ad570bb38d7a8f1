//! Differential scripts of the transactions family (one test per script).
diff_scripts!(
    transactions: multi_exec, execabort, runtime_errors, watch, watch_flush_expire, queue_and_db
);
