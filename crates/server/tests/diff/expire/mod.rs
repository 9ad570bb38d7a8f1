//! Differential scripts of the expire family (one test per script).
diff_scripts!(expire: expire_errors, expire_options, expire_past, persist, ttl_expiretime, ttl_interactions);
