//! Vector maths for embeddings.

/// Cosine similarity, or `None` for vectors of different lengths or zero length.
pub fn cosine(a: &[f32], b: &[f32]) -> Option<f64> {
    if a.len() != b.len() || a.is_empty() {
        return None;
    }
    let (mut dot, mut na, mut nb) = (0.0f64, 0.0f64, 0.0f64);
    for (x, y) in a.iter().zip(b) {
        let (x, y) = (f64::from(*x), f64::from(*y));
        dot += x * y;
        na += x * x;
        nb += y * y;
    }
    if na == 0.0 || nb == 0.0 {
        return None;
    }
    Some(dot / (na.sqrt() * nb.sqrt()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosine_similarity() {
        assert_eq!(cosine(&[1.0, 0.0], &[1.0, 0.0]), Some(1.0));
        assert!(cosine(&[1.0, 0.0], &[0.0, 1.0]).is_some_and(|c| c.abs() < 1e-12));
        assert!(cosine(&[1.0, 1.0], &[1.0, 0.0]).is_some_and(|c| (c - std::f64::consts::FRAC_1_SQRT_2).abs() < 1e-6));
        assert_eq!(cosine(&[1.0], &[1.0, 2.0]), None);
        assert_eq!(cosine(&[0.0, 0.0], &[1.0, 0.0]), None);
    }
}
