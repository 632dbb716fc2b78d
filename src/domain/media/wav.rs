//! Microphone recordings become 16-bit mono WAV: the one audio format every provider that
//! hears audio accepts (browsers record WebM/Opus, which OpenAI chat and Gemini refuse).

/// Encodes samples in -1.0..=1.0 (others are clipped) as a PCM WAV file.
pub fn encode_wav(samples: &[f32], sample_rate: u32) -> Vec<u8> {
    let data_len = (samples.len() * 2) as u32;
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes()); // fmt chunk size
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&sample_rate.to_le_bytes());
    out.extend_from_slice(&(sample_rate * 2).to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for &s in samples {
        let s = if s.is_finite() { s.clamp(-1.0, 1.0) } else { 0.0 };
        out.extend_from_slice(&((s * 32767.0).round() as i16).to_le_bytes());
    }
    out
}

/// Averages to `to_rate` (speech needs no more than 16 kHz; a smaller file goes further
/// under the providers' size limits).
pub fn downsample(samples: &[f32], from_rate: u32, to_rate: u32) -> Vec<f32> {
    if from_rate <= to_rate || to_rate == 0 {
        return samples.to_vec();
    }
    let ratio = f64::from(from_rate) / f64::from(to_rate);
    let out_len = (samples.len() as f64 / ratio).floor() as usize;
    (0..out_len)
        .map(|i| {
            let start = (i as f64 * ratio) as usize;
            let end = (((i + 1) as f64 * ratio) as usize).min(samples.len()).max(start + 1);
            let window = &samples[start..end.min(samples.len())];
            if window.is_empty() {
                0.0
            } else {
                window.iter().sum::<f32>() / window.len() as f32
            }
        })
        .collect()
}

/// Seconds of audio in a PCM WAV file, when its header says.
pub fn wav_seconds(bytes: &[u8]) -> Option<f64> {
    let u32_at = |i: usize| bytes.get(i..i + 4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    if bytes.get(0..4) != Some(b"RIFF") || bytes.get(8..12) != Some(b"WAVE") {
        return None;
    }
    let per_second = u32_at(28)?;
    let data = u32_at(40)?;
    (per_second > 0).then(|| f64::from(data) / f64::from(per_second))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::media::sniff;

    #[test]
    fn a_wav_file_that_sniffs_and_measures() {
        let tone: Vec<f32> = (0..16_000).map(|i| ((i as f32) * 0.05).sin()).collect();
        let wav = encode_wav(&tone, 16_000);
        assert_eq!(wav.len(), 44 + 32_000);
        assert_eq!(sniff(&wav), Some("audio/wav"));
        assert_eq!(wav_seconds(&wav), Some(1.0));
        assert_eq!(&wav[44..46], &0i16.to_le_bytes());
        // Out-of-range and NaN samples are clipped or silenced, never wrapped.
        let odd = encode_wav(&[2.0, -2.0, f32::NAN], 8000);
        assert_eq!(&odd[44..], &[0xff, 0x7f, 0x01, 0x80, 0, 0]);
    }

    #[test]
    fn downsampling_keeps_duration() {
        let one_second = vec![0.5f32; 48_000];
        let out = downsample(&one_second, 48_000, 16_000);
        assert_eq!(out.len(), 16_000);
        assert!(out.iter().all(|s| (s - 0.5).abs() < 1e-6));
        assert_eq!(downsample(&[1.0, 2.0], 8000, 16_000), vec![1.0, 2.0]);
    }
}
