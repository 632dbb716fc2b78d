//! UTF-8 helpers for text that arrives in pieces (network chunks, replayed streams).

/// The length of `bytes` without a trailing, still incomplete UTF-8 character. Invalid bytes
/// elsewhere count as complete: they become replacement characters instead of stalling.
pub fn complete_prefix_len(bytes: &[u8]) -> usize {
    let len = bytes.len();
    for start in (len.saturating_sub(3)..len).rev() {
        let Some(&byte) = bytes.get(start) else { break };
        if byte & 0b1100_0000 == 0b1000_0000 {
            continue;
        }
        let needed = match byte {
            0xF0.. => 4,
            0xE0.. => 3,
            0xC0.. => 2,
            _ => 1,
        };
        return if len - start < needed { start } else { len };
    }
    len
}

#[cfg(test)]
mod tests {
    use super::complete_prefix_len;

    #[test]
    fn holds_back_only_an_unfinished_character() {
        let e = "é".as_bytes();
        assert_eq!(complete_prefix_len(b"abc"), 3);
        assert_eq!(complete_prefix_len(&[b'a', e[0]]), 1);
        assert_eq!(complete_prefix_len(&[b'a', e[0], e[1]]), 3);
        let party = "🎉".as_bytes();
        assert_eq!(complete_prefix_len(&party[..3]), 0);
        assert_eq!(complete_prefix_len(party), 4);
        assert_eq!(complete_prefix_len(&[]), 0);
    }
}
