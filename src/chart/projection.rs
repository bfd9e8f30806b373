//! Albers equal-area conic projection (the d3 `conicEqualArea` formulas) and fitting of a set
//! of rings into a pixel box. Which jurisdiction goes in which box is the map's business.

/// An Albers equal-area conic with its standard parallels and central meridian.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Albers {
    n: f64,
    c: f64,
    r0: f64,
    lambda0: f64,
}

impl Albers {
    pub fn new(parallels: (f64, f64), lambda0: f64) -> Self {
        let (s0, s1) = (parallels.0.to_radians().sin(), parallels.1.to_radians().sin());
        let n = (s0 + s1) / 2.0;
        // Standard parallels symmetric about the equator give n = 0; nudge to stay finite.
        let n = if n.abs() < 1e-6 { 1e-6_f64.copysign(n + 1e-12) } else { n };
        let c = 1.0 + s0 * (2.0 * n - s0);
        Self { n, c, r0: c.sqrt() / n, lambda0 }
    }

    /// Unit-sphere projected (x, y) with y pointing north.
    pub fn raw(&self, lon: f64, lat: f64) -> (f64, f64) {
        // Wrap into [-180, 180) so the Aleutians west of the antimeridian stay beside Alaska.
        let dl = (lon - self.lambda0 + 540.0).rem_euclid(360.0) - 180.0;
        let lambda = dl.to_radians() * self.n;
        let r = (self.c - 2.0 * self.n * lat.to_radians().sin()).max(0.0).sqrt() / self.n;
        (r * lambda.sin(), self.r0 - r * lambda.cos())
    }
}

/// A projection composed with a scale and translation into SVG pixels (y down).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fitted {
    proj: Albers,
    k: f64,
    tx: f64,
    ty: f64,
}

/// A pixel rectangle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
}

impl Fitted {
    /// Scales and centres everything in `points` (lon, lat) to fill `rect`, keeping aspect.
    pub fn fit<'a>(proj: Albers, points: impl Iterator<Item = &'a (f64, f64)>, rect: Rect) -> Self {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for &(lon, lat) in points {
            let (x, y) = proj.raw(lon, lat);
            x0 = x0.min(x);
            x1 = x1.max(x);
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
        if x0 > x1 {
            return Self { proj, k: 1.0, tx: rect.x, ty: rect.y };
        }
        let (bw, bh) = ((x1 - x0).max(1e-9), (y1 - y0).max(1e-9));
        let k = (rect.w / bw).min(rect.h / bh);
        let tx = rect.x + (rect.w - k * bw) / 2.0 - k * x0;
        let ty = rect.y + (rect.h - k * bh) / 2.0 + k * y1;
        Self { proj, k, tx, ty }
    }

    pub fn point(&self, lon: f64, lat: f64) -> (f64, f64) {
        let (x, y) = self.proj.raw(lon, lat);
        (self.tx + self.k * x, self.ty - self.k * y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_puts_corners_inside_the_box() {
        let p = Albers::new((29.5, 45.5), -96.0);
        let pts = [(-124.7, 48.4), (-67.0, 44.8), (-80.2, 25.1), (-117.1, 32.5)];
        let r = Rect { x: 10.0, y: 20.0, w: 800.0, h: 500.0 };
        let f = Fitted::fit(p, pts.iter(), r);
        for (lon, lat) in pts {
            let (x, y) = f.point(lon, lat);
            assert!(x >= r.x - 1e-6 && x <= r.x + r.w + 1e-6 && y >= r.y - 1e-6 && y <= r.bottom() + 1e-6);
        }
        // Maine is east of Washington, Florida south of both.
        assert!(f.point(-67.0, 44.8).0 > f.point(-124.7, 48.4).0);
        assert!(f.point(-80.2, 25.1).1 > f.point(-67.0, 44.8).1);
    }

    #[test]
    fn antimeridian_wraps() {
        let ak = Albers::new((55.0, 65.0), -154.0);
        // Attu (172.9 E) sits just west of Adak (176.6 W), not on the far side of the map.
        let (attu, adak) = (ak.raw(172.9, 52.9), ak.raw(-176.6, 51.9));
        assert!(attu.0 < adak.0 && (attu.0 - adak.0).abs() < 0.2);
    }
}
