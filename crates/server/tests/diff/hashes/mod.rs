//! Differential scripts of the hashes family (one test per script).
diff_scripts!(hashes: hash_big, hash_encoding, hashes_resp3, hdel_hlen, hgetall_keys_vals, hincrby, hincrbyfloat, hmget_hmset, hrandfield, hrandfield_resp3, hscan, hset_hget);
