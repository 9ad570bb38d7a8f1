//! Differential scripts of the strings family (one test per script).
diff_scripts!(strings: append_strlen, binary_keys, getdel_getset, getex, getrange, incr_decr, incrbyfloat, lcs, mget_mset, set_get, set_options, setnx_setex, setrange, string_encoding, strings_resp3);
