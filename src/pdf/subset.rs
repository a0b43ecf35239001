//! Per-document font subsets: after layout, every font face the record never shows is
//! dropped, and each face it shows is cut down to the glyphs it shows (with the `subsetter`
//! crate, which keeps glyph ids, so the page content, the widths and the ToUnicode map stay
//! valid). genpdf embeds all four faces of its family whole, every time; this is where the
//! record gets small.
//!
//! printpdf 0.3.4 writes every font as a Type0 font with `Identity-H` encoding, so the
//! strings of the text operators are the glyph ids themselves, two bytes each.

use std::collections::{BTreeMap, BTreeSet};

use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};
use sha2::{Digest, Sha256};

/// What the subsetting could not do; the record is not made then.
#[derive(Debug, thiserror::Error)]
pub enum SubsetError {
    #[error("the PDF's structure is not what genpdf writes ({0})")]
    Structure(String),
    #[error("a font could not be subset: {0}")]
    Font(String),
}

fn structure(what: impl std::fmt::Display) -> SubsetError {
    SubsetError::Structure(what.to_string())
}

/// Drops the fonts no page shows and subsets the others to the glyphs shown.
pub fn subset_fonts(doc: &mut Document) -> Result<(), SubsetError> {
    let used = glyphs_by_font(doc)?;
    // Unused faces: out of every page's resources, then gone with their objects.
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    for page in &pages {
        let fonts = font_resources(doc, *page)?;
        let unused: Vec<Vec<u8>> = fonts
            .iter()
            .filter(|(_, id)| !used.contains_key(id))
            .map(|(name, _)| name.clone())
            .collect();
        if unused.is_empty() {
            continue;
        }
        let font_dict = font_dict_mut(doc, *page)?;
        for name in unused {
            font_dict.remove(&name);
        }
    }
    for (font, glyphs) in &used {
        subset_one(doc, *font, glyphs)?;
    }
    doc.prune_objects();
    Ok(())
}

/// For each font object a page shows text in, the glyph ids shown.
fn glyphs_by_font(doc: &Document) -> Result<BTreeMap<ObjectId, BTreeSet<u16>>, SubsetError> {
    let mut used: BTreeMap<ObjectId, BTreeSet<u16>> = BTreeMap::new();
    for page in doc.get_pages().into_values() {
        let fonts = font_resources(doc, page)?;
        let bytes = doc.get_page_content(page);
        let content = Content::decode(&bytes).map_err(structure)?;
        let mut current: Option<ObjectId> = None;
        for op in &content.operations {
            match op.operator.as_str() {
                "Tf" => {
                    let name = op
                        .operands
                        .first()
                        .and_then(|o| o.as_name().ok())
                        .ok_or_else(|| structure("Tf without a font name"))?;
                    current = fonts.get(name).copied();
                    if current.is_none() {
                        return Err(structure("a font missing from the page's resources"));
                    }
                }
                "Tj" | "TJ" | "'" | "\"" => {
                    let font = current.ok_or_else(|| structure("text before a font"))?;
                    let set = used.entry(font).or_default();
                    for operand in &op.operands {
                        collect_strings(operand, set);
                    }
                }
                _ => {}
            }
        }
    }
    Ok(used)
}

/// The glyph ids in a text operand (a string, or an array of strings and kerning numbers).
fn collect_strings(operand: &Object, set: &mut BTreeSet<u16>) {
    match operand {
        Object::String(bytes, _) => {
            for pair in bytes.chunks(2) {
                if let [hi, lo] = pair {
                    set.insert(u16::from_be_bytes([*hi, *lo]));
                }
            }
        }
        Object::Array(items) => items.iter().for_each(|i| collect_strings(i, set)),
        _ => {}
    }
}

/// A page's font resources: name → font object.
fn font_resources(
    doc: &Document,
    page: ObjectId,
) -> Result<BTreeMap<Vec<u8>, ObjectId>, SubsetError> {
    let (resources, ids) = doc.get_page_resources(page).map_err(structure)?;
    let mut out = BTreeMap::new();
    let dicts = resources
        .into_iter()
        .chain(ids.iter().filter_map(|id| doc.get_dictionary(*id).ok()));
    for res in dicts {
        let Ok(fonts) = res.get(b"Font") else {
            continue;
        };
        let fonts = match fonts {
            Object::Reference(id) => doc.get_dictionary(*id).map_err(structure)?,
            Object::Dictionary(d) => d,
            _ => return Err(structure("a Font resource that is not a dictionary")),
        };
        for (name, font) in fonts.iter() {
            let id = font.as_reference().map_err(structure)?;
            out.entry(name.clone()).or_insert(id);
        }
    }
    Ok(out)
}

/// The Font dictionary of a page's resources, to change.
fn font_dict_mut(doc: &mut Document, page: ObjectId) -> Result<&mut Dictionary, SubsetError> {
    // genpdf writes the resources as a dictionary in the page, or one it references.
    let resources = doc
        .get_dictionary(page)
        .map_err(structure)?
        .get(b"Resources")
        .map_err(structure)?
        .clone();
    let fonts = match &resources {
        Object::Reference(id) => doc
            .get_dictionary(*id)
            .map_err(structure)?
            .get(b"Font")
            .map_err(structure)?
            .clone(),
        Object::Dictionary(d) => d.get(b"Font").map_err(structure)?.clone(),
        _ => return Err(structure("page resources that are not a dictionary")),
    };
    match (fonts, resources) {
        (Object::Reference(id), _) => doc.get_dictionary_mut(id).map_err(structure),
        (Object::Dictionary(_), Object::Reference(res)) => doc
            .get_dictionary_mut(res)
            .map_err(structure)?
            .get_mut(b"Font")
            .and_then(Object::as_dict_mut)
            .map_err(structure),
        (Object::Dictionary(_), _) => doc
            .get_dictionary_mut(page)
            .map_err(structure)?
            .get_mut(b"Resources")
            .and_then(Object::as_dict_mut)
            .and_then(|r| r.get_mut(b"Font"))
            .and_then(Object::as_dict_mut)
            .map_err(structure),
        _ => Err(structure("a Font resource that is not a dictionary")),
    }
}

/// Cuts one Type0 font down to `glyphs`: its font program, its widths, and its name tagged
/// as a subset ("ABCDEF+DejaVuSans", as PDF asks of subset fonts).
fn subset_one(
    doc: &mut Document,
    font: ObjectId,
    glyphs: &BTreeSet<u16>,
) -> Result<(), SubsetError> {
    let type0 = doc.get_dictionary(font).map_err(structure)?.clone();
    let base = type0
        .get(b"BaseFont")
        .and_then(Object::as_name)
        .map_err(structure)?
        .to_vec();
    let descendant = match type0.get(b"DescendantFonts").map_err(structure)? {
        Object::Array(a) => a
            .first()
            .cloned()
            .ok_or_else(|| structure("no descendant font"))?,
        _ => return Err(structure("DescendantFonts is not an array")),
    };
    let mut cid_font = match descendant {
        Object::Dictionary(d) => d,
        Object::Reference(id) => doc.get_dictionary(id).map_err(structure)?.clone(),
        _ => return Err(structure("a descendant font that is not a dictionary")),
    };
    let descriptor_id = cid_font
        .get(b"FontDescriptor")
        .and_then(Object::as_reference)
        .map_err(structure)?;
    let file_id = doc
        .get_dictionary(descriptor_id)
        .map_err(structure)?
        .get(b"FontFile2")
        .and_then(Object::as_reference)
        .map_err(structure)?;

    let mut keep: Vec<u16> = glyphs.iter().copied().collect();
    keep.insert(0, 0);
    keep.dedup();
    let stream = doc
        .get_object_mut(file_id)
        .and_then(Object::as_stream_mut)
        .map_err(structure)?;
    let data = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    let cut = subsetter::subset(&data, 0, subsetter::Profile::pdf(&keep))
        .map_err(|e| SubsetError::Font(e.to_string()))?;
    stream.dict.remove(b"Filter");
    stream.dict.remove(b"DecodeParms");
    stream
        .dict
        .set("Length1", Object::Integer(cut.len() as i64));
    stream.set_content(cut);
    stream.allows_compression = true;
    stream.compress().map_err(structure)?;

    // Widths of the glyphs shown only: `[gid [w] gid [w] …]`.
    let widths = widths_of(doc, &cid_font)?;
    let mut w = Vec::new();
    for gid in &keep {
        if let Some(width) = widths.get(gid) {
            w.push(Object::Integer(i64::from(*gid)));
            w.push(Object::Array(vec![Object::Integer(*width)]));
        }
    }
    cid_font.set("W", Object::Array(w));

    trim_to_unicode(doc, &type0, &keep)?;

    let tag = subset_tag(&base, &keep);
    let name = [tag.as_bytes(), b"+", &base].concat();
    cid_font.set("BaseFont", Object::Name(name.clone()));
    doc.get_dictionary_mut(descriptor_id)
        .map_err(structure)?
        .set("FontName", Object::Name(name.clone()));
    let type0 = doc.get_dictionary_mut(font).map_err(structure)?;
    type0.set("BaseFont", Object::Name(name));
    type0.set(
        "DescendantFonts",
        Object::Array(vec![Object::Dictionary(cid_font)]),
    );
    Ok(())
}

/// Keeps only the kept glyphs' entries in the font's ToUnicode map (printpdf lists every
/// glyph of the face there, in `beginbfchar` blocks of `<gid> <unicode>` lines).
fn trim_to_unicode(
    doc: &mut Document,
    type0: &Dictionary,
    keep: &[u16],
) -> Result<(), SubsetError> {
    let Ok(id) = type0.get(b"ToUnicode").and_then(Object::as_reference) else {
        return Ok(());
    };
    let stream = doc
        .get_object_mut(id)
        .and_then(Object::as_stream_mut)
        .map_err(structure)?;
    let bytes = stream
        .decompressed_content()
        .unwrap_or_else(|_| stream.content.clone());
    let text = String::from_utf8(bytes).map_err(structure)?;
    let (Some(first), Some(last)) = (text.find("beginbfchar"), text.rfind("endbfchar")) else {
        return Ok(());
    };
    let head = &text[..text[..first].rfind('\n').map_or(0, |n| n + 1)];
    let tail = text[last + "endbfchar".len()..].trim_start_matches(['\r', '\n']);
    let kept: Vec<&str> = text[first..last]
        .lines()
        .filter(|line| {
            line.strip_prefix('<')
                .and_then(|l| l.get(..4))
                .and_then(|gid| u16::from_str_radix(gid, 16).ok())
                .is_some_and(|gid| keep.binary_search(&gid).is_ok() && line.len() > 7)
        })
        .collect();
    let mut out = String::from(head);
    for block in kept.chunks(100) {
        out.push_str(&format!("{} beginbfchar\r\n", block.len()));
        for line in block {
            out.push_str(line);
            out.push('\n');
        }
        out.push_str("endbfchar\r\n");
    }
    out.push_str(tail);
    stream.set_plain_content(out.into_bytes());
    stream.compress().map_err(structure)
}

/// The widths of a CID font's `W` array: `c [w1 w2 …]` and `c1 c2 w` forms.
fn widths_of(doc: &Document, cid_font: &Dictionary) -> Result<BTreeMap<u16, i64>, SubsetError> {
    let mut out = BTreeMap::new();
    let w = match cid_font.get(b"W") {
        Ok(Object::Array(a)) => a.clone(),
        Ok(Object::Reference(id)) => doc
            .get_object(*id)
            .and_then(Object::as_array)
            .map_err(structure)?
            .clone(),
        _ => return Ok(out),
    };
    let num = |o: &Object| -> Option<i64> {
        match o {
            Object::Integer(i) => Some(*i),
            Object::Real(r) => Some(*r as i64),
            _ => None,
        }
    };
    let mut i = 0;
    while i < w.len() {
        let first = num(&w[i]).ok_or_else(|| structure("a W entry that is not a number"))?;
        match w.get(i + 1) {
            Some(Object::Array(ws)) => {
                for (k, width) in ws.iter().enumerate() {
                    if let Some(width) = num(width) {
                        out.insert((first + k as i64) as u16, width);
                    }
                }
                i += 2;
            }
            Some(last) => {
                let last = num(last).ok_or_else(|| structure("a W range without an end"))?;
                let width = w
                    .get(i + 2)
                    .and_then(num)
                    .ok_or_else(|| structure("a W range without a width"))?;
                for c in first..=last {
                    out.insert(c as u16, width);
                }
                i += 3;
            }
            None => break,
        }
    }
    Ok(out)
}

/// Six capital letters derived from the face and the glyphs kept: the same record gets the
/// same tag, so exports stay reproducible.
fn subset_tag(base: &[u8], glyphs: &[u16]) -> String {
    let mut h = Sha256::new();
    h.update(base);
    for g in glyphs {
        h.update(g.to_be_bytes());
    }
    h.finalize()
        .iter()
        .take(6)
        .map(|b| char::from(b'A' + b % 26))
        .collect()
}
