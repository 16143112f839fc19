//! Shards: `K/N` splits a corpus between processes with no coordinator, by a stable
//! hash of each document's key.

use std::str::FromStr;

/// `K/N`: the K-th of N disjoint parts of a corpus (0 ≤ K < N). A document belongs to
/// shard `sha256(key) mod N`, where the key is its path relative to the root it was
/// found under (with `/`) or its JSON Lines id; the first 8 bytes of the digest are read
/// as a big-endian integer. N processes given the same inputs and `0/N` … `N-1/N` cover
/// the corpus exactly once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    /// Whether the document with this key belongs to this shard.
    pub fn contains(&self, key: &str) -> bool {
        shard_of(key, self.count) == self.index
    }
}

/// The shard (0..count) of a document key.
pub fn shard_of(key: &str, count: u64) -> u64 {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(first) % count.max(1)
}

impl FromStr for Shard {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Shard, String> {
        let bad = || format!("expected K/N with 0 <= K < N (e.g. 0/4), got {s:?}");
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let index: u64 = k.trim().parse().map_err(|_| bad())?;
        let count: u64 = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::sha256_hex;

    #[test]
    fn a_shard_is_written_k_slash_n_with_k_below_n() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { index: 2, count: 8 }));
        assert_eq!("0/1".parse::<Shard>().map(|s| s.to_string()), Ok("0/1".to_string()));
        for bad in ["", "3", "8/8", "1/0", "-1/4", "a/b", "1/2/3"] {
            let err = bad.parse::<Shard>().unwrap_err();
            assert!(err.contains("K/N"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn the_shard_of_a_key_is_sha256_mod_n_and_never_changes() {
        // sha256("news/a.txt") starts with 0x5fc63b4bbd1ba1ac (python: int(sha256(b"news/a.txt").hexdigest()[:16], 16)).
        let first = u64::from_str_radix(&sha256_hex(b"news/a.txt")[..16], 16).unwrap();
        assert_eq!(shard_of("news/a.txt", 7), first % 7);
        assert_eq!(shard_of("news/a.txt", 1), 0);
    }

    #[test]
    fn every_key_falls_in_exactly_one_of_n_shards_and_they_are_balanced() {
        let n = 4;
        let shards: Vec<Shard> = (0..n).map(|k| Shard { index: k, count: n }).collect();
        let mut sizes = vec![0usize; n as usize];
        for i in 0..4000 {
            let key = format!("corpus/doc{i:05}.txt");
            let owners: Vec<usize> = (0..n as usize).filter(|&k| shards[k].contains(&key)).collect();
            assert_eq!(owners.len(), 1, "{key} in {owners:?}");
            sizes[owners[0]] += 1;
        }
        assert!(sizes.iter().all(|&s| (900..=1100).contains(&s)), "{sizes:?}");
    }
}
