//! PNG export: renders one of our SVG strings through resvg at a scale (2 for retina images),
//! on white, with only the DejaVu faces bundled by the `dejavu` crate. resvg drops text it has
//! no font for without an error, so the fonts are loaded here explicitly and every generic
//! family is mapped to DejaVu Sans; no system font is ever looked up.

use std::sync::{Arc, OnceLock};

use resvg::tiny_skia::{Color, Pixmap, Transform};
use resvg::usvg::{self, fontdb};

use super::ChartError;

/// The font database is parsed once per process; it is immutable afterwards.
fn fonts() -> Arc<fontdb::Database> {
    static DB: OnceLock<Arc<fontdb::Database>> = OnceLock::new();
    DB.get_or_init(|| {
        let mut db = fontdb::Database::new();
        db.load_font_data(dejavu::sans::regular().to_vec());
        db.load_font_data(dejavu::sans::bold().to_vec());
        db.set_sans_serif_family("DejaVu Sans");
        db.set_serif_family("DejaVu Sans");
        db.set_monospace_family("DejaVu Sans");
        db.set_cursive_family("DejaVu Sans");
        db.set_fantasy_family("DejaVu Sans");
        Arc::new(db)
    })
    .clone()
}

/// Renders `svg` at `scale` times its size to PNG bytes on a white background.
pub fn to_png(svg: &str, scale: f32) -> Result<Vec<u8>, ChartError> {
    if !(scale.is_finite() && scale > 0.0 && scale <= 8.0) {
        return Err(ChartError::Png(format!("scale must be in (0, 8], got {scale}")));
    }
    let opt = usvg::Options { font_family: "DejaVu Sans".into(), fontdb: fonts(), ..usvg::Options::default() };
    let tree = usvg::Tree::from_str(svg, &opt).map_err(|e| ChartError::SvgParse(e.to_string()))?;
    let size = tree.size();
    let (w, h) = ((size.width() * scale).ceil() as u32, (size.height() * scale).ceil() as u32);
    let mut pixmap = Pixmap::new(w, h).ok_or_else(|| ChartError::Png(format!("cannot allocate a {w}×{h} image")))?;
    pixmap.fill(Color::WHITE);
    resvg::render(&tree, Transform::from_scale(scale, scale), &mut pixmap.as_mut());
    encode_rgb(&pixmap)
}

/// The image is opaque (white underneath everything), so premultiplied RGBA is plain RGB:
/// dropping alpha and using png's fast DEFLATE is ~5x quicker than tiny-skia's `encode_png`
/// (which copies, demultiplies and compresses at the default level) for a slightly larger file.
fn encode_rgb(pixmap: &Pixmap) -> Result<Vec<u8>, ChartError> {
    let rgb: Vec<u8> = pixmap.data().chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect();
    let mut out = Vec::with_capacity(rgb.len() / 8);
    let mut enc = png::Encoder::new(&mut out, pixmap.width(), pixmap.height());
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_compression(png::Compression::Fast);
    let err = |e: png::EncodingError| ChartError::Png(e.to_string());
    let mut writer = enc.write_header().map_err(err)?;
    writer.write_image_data(&rgb).map_err(err)?;
    writer.finish().map_err(err)?;
    Ok(out)
}
