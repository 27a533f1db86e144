//! Documents and key images on a case (issue 20): pathology, imaging and clinic reports and
//! letters as PDF, key images exported from PACS as PNG or JPEG.
//!
//! An attachment is never changed: a corrected report is a new attachment that supersedes the
//! old one (both stay readable), and removal is a tombstone with a reason. The type of a file is
//! read from its first bytes, never from its name; images are shown on screen from a copy
//! without the metadata that can carry identifiers ([`MetadataStripper`]), while the original
//! is kept byte for byte as uploaded.

use chrono::Datelike as _;
use serde::{Deserialize, Serialize};

use crate::text::{self, Shape};

use super::codes::code_enum;
use super::role::Specialty;
use crate::error::{FieldErrorsBuilder, Invalid};

code_enum!(
    /// What a document is, as the case page groups them.
    AttachmentKind {
        PathologyReport => "pathology_report", "Pathology report";
        ImagingReport => "imaging_report", "Imaging report";
        KeyImage => "key_image", "Key image";
        Letter => "letter", "Letter";
        Other => "other", "Other document";
    }
);

code_enum!(
    /// The file types accepted, each named by its media type. Three formats whose first bytes
    /// are fixed by their specifications; anything else is refused whatever its name says.
    FileType {
        Pdf => "application/pdf", "PDF";
        Png => "image/png", "PNG image";
        Jpeg => "image/jpeg", "JPEG image";
    }
);

impl FileType {
    /// The file type that `head` (the first bytes of a file, at least 8 when the file has
    /// them) begins like, if it is one accepted here.
    ///
    /// PDF: ISO 32000-1 §7.5.2, the header `%PDF-` (readers accept it within the first 1024
    /// bytes; only files that begin with it are accepted here). PNG: ISO/IEC 15948 §5.2, the
    /// 8-byte signature. JPEG: ITU T.81 Annex B, SOI (`FF D8`) followed by a marker (`FF`).
    pub fn sniff(head: &[u8]) -> Option<FileType> {
        if head.starts_with(b"%PDF-") {
            Some(FileType::Pdf)
        } else if head.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileType::Png)
        } else if head.starts_with(&[0xFF, 0xD8, 0xFF]) {
            Some(FileType::Jpeg)
        } else {
            None
        }
    }

    /// The media type, as served.
    pub fn media_type(self) -> &'static str {
        self.code()
    }

    /// The file name extension used when the file is downloaded.
    pub fn extension(self) -> &'static str {
        match self {
            FileType::Pdf => "pdf",
            FileType::Png => "png",
            FileType::Jpeg => "jpg",
        }
    }

    pub fn is_image(self) -> bool {
        matches!(self, FileType::Png | FileType::Jpeg)
    }
}

/// Why a file is refused, said for the person who chose it.
pub fn unsupported_file_message() -> String {
    "This file is not a PDF, PNG or JPEG (its content was checked, not its name). Export the report as PDF or the image as PNG or JPEG and upload that.".into()
}

/// Longest title accepted.
pub const MAX_TITLE: usize = 200;
/// Longest withdrawal reason accepted.
pub const MAX_REASON: usize = 2_000;
/// The size limit when `TUMORBOARD_MAX_UPLOAD_MB` is not set.
pub const DEFAULT_MAX_UPLOAD_MB: u64 = 25;

/// The fields that come with an uploaded file (multipart form fields, all text).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default, deny_unknown_fields)]
pub struct AttachmentInput {
    /// A kind code: pathology_report, imaging_report, key_image, letter, other.
    pub kind: String,
    pub title: String,
    /// The date of the examination or letter, `YYYY-MM-DD`; may be empty for "other".
    pub examined_on: String,
    /// The specialty that owns the document (a specialty code); empty: the uploader's own.
    pub specialty: String,
    /// The id of an attachment of the same case that this one corrects.
    pub supersedes: String,
}

/// A checked [`AttachmentInput`].
#[derive(Clone, Debug, PartialEq)]
pub struct CheckedAttachment {
    pub kind: AttachmentKind,
    pub title: String,
    pub examined_on: Option<String>,
    pub specialty: Specialty,
    pub supersedes: Option<String>,
}

impl AttachmentInput {
    /// Checks the fields. `own` is the uploader's specialty (used when none is chosen);
    /// `today` bounds the examination date.
    pub fn parse(&self, own: Option<Specialty>, today: chrono::NaiveDate) -> Result<CheckedAttachment, Invalid> {
        let mut e = FieldErrorsBuilder::new();
        let kind = AttachmentKind::parse(&self.kind).map_err(|m| e.add("kind", m)).ok();
        let title = text::field(&mut e, "title", &self.title, MAX_TITLE, Shape::Line, "The title");
        if title.is_empty() {
            e.add("title", "Give the document a title, e.g. \"Histology, liver biopsy\".");
        }
        let examined_on = match self.examined_on.trim() {
            "" if kind == Some(AttachmentKind::Other) => None,
            "" => {
                e.add("examined_on", "Give the date of the examination or letter.");
                None
            }
            d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
                Ok(date) if date > today => {
                    e.add("examined_on", "The examination date is in the future.");
                    None
                }
                Ok(date) if date.year_ce().1 < 1900 => {
                    e.add("examined_on", "The examination date is before 1900.");
                    None
                }
                Ok(date) => Some(date.format("%Y-%m-%d").to_string()),
                Err(_) => {
                    e.add("examined_on", "Write the date as YYYY-MM-DD.");
                    None
                }
            },
        };
        let specialty = match self.specialty.trim() {
            "" => own.or_else(|| {
                e.add("specialty", "Choose the specialty that owns the document.");
                None
            }),
            code => Specialty::parse(code).map_err(|m| e.add("specialty", m)).ok(),
        };
        let supersedes = Some(self.supersedes.trim()).filter(|s| !s.is_empty()).map(str::to_string);
        if supersedes
            .as_ref()
            .is_some_and(|s| s.len() > 64 || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        {
            e.add("supersedes", "Choose a document of this case.");
        }
        e.finish()?;
        Ok(CheckedAttachment {
            kind: kind.expect("checked"),
            title,
            examined_on,
            specialty: specialty.expect("checked"),
            supersedes,
        })
    }
}

/// A withdrawal's reason, checked: the tombstone says why (security.md DI-1).
pub fn withdrawal_reason(reason: &str) -> Result<String, Invalid> {
    match text::check(reason, MAX_REASON, Shape::Lines, "The reason") {
        Ok(r) if r.is_empty() => {
            Err(Invalid::field("reason", "Say why the document is withdrawn, e.g. \"filed on the wrong patient\"."))
        }
        checked => checked.map_err(|m| Invalid::field("reason", m)),
    }
}

/// A document or image of a case, as listed (never its bytes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Attachment {
    pub id: String,
    pub case_id: String,
    pub kind: AttachmentKind,
    pub title: String,
    /// `YYYY-MM-DD`, when given.
    pub examined_on: Option<String>,
    pub specialty: Specialty,
    /// The media type read from the content: application/pdf, image/png or image/jpeg.
    pub content_type: String,
    pub size_bytes: i64,
    /// SHA-256 of the file as uploaded (lowercase hex); a download gives exactly these bytes.
    pub sha256: String,
    /// Whether the copy shown on screen differs from the original (image metadata removed).
    pub display_stripped: bool,
    /// The attachment this one corrects.
    pub supersedes: Option<String>,
    /// The attachment that corrects this one, if any.
    pub superseded_by: Option<String>,
    pub uploaded_by: String,
    pub uploaded_by_name: String,
    pub uploaded_at: String,
    /// 1 as uploaded, 2 once withdrawn (the `ETag`).
    pub version: i64,
    pub withdrawn: Option<Withdrawal>,
}

impl Attachment {
    pub fn file_type(&self) -> Option<FileType> {
        FileType::parse(&self.content_type).ok()
    }

    pub fn is_image(&self) -> bool {
        self.file_type().is_some_and(FileType::is_image)
    }

    /// Whether it is current: neither withdrawn nor corrected by another.
    pub fn is_current(&self) -> bool {
        self.withdrawn.is_none() && self.superseded_by.is_none()
    }

    /// The name a download is saved under: the title and date, never the uploaded file's name
    /// (which can carry a patient's name).
    pub fn download_name(&self) -> String {
        let stem: String = self
            .title
            .chars()
            .map(|c| if c.is_alphanumeric() || matches!(c, ' ' | '-' | '_' | '.' | ',') { c } else { '_' })
            .collect();
        let date = self.examined_on.as_deref().map(|d| format!(" {d}")).unwrap_or_default();
        let ext = self.file_type().map(FileType::extension).unwrap_or("bin");
        format!("{}{date}.{ext}", stem.trim())
    }
}

/// The tombstone of a withdrawn attachment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withdrawal {
    pub at: String,
    pub by_name: String,
    pub reason: String,
}

/// "1.4 MB", "820 KB", "312 B".
pub fn size_label(bytes: i64) -> String {
    if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1_000_000.0)
    } else if bytes >= 1_000 {
        format!("{} KB", bytes / 1_000)
    } else {
        format!("{bytes} B")
    }
}

/// Removes, as the bytes stream past, the parts of an image that can carry identifiers: in a
/// JPEG the APP1 (Exif, XMP), APP3–APP13 and APP15 segments (IPTC sits in APP13) and comments;
/// in a PNG the text chunks (tEXt, zTXt, iTXt), eXIf and tIME. What the picture is made of
/// stays as it was: the JPEG's JFIF (APP0), ICC profile (APP2) and Adobe colour (APP14)
/// segments and everything from the scan on, the PNG's other chunks.
///
/// Streaming (a segment or chunk is never held whole), because an upload is not held in memory
/// either; a crate such as img-parts reads the whole file first. A file that is not a
/// well-formed JPEG or PNG is an error: it is refused, not shown.
#[derive(Debug)]
pub struct MetadataStripper {
    format: FileType,
    state: StripState,
    /// Bytes of a header not complete yet (at most 8).
    head: Vec<u8>,
    /// PNG: IEND was read; what follows its CRC is not part of the image.
    ended: bool,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum StripState {
    /// Before the signature (PNG: 8 bytes; JPEG: SOI, 2 bytes).
    Signature,
    /// Reading the next header (JPEG marker and length; PNG chunk length and type).
    Header,
    /// Copying this many more bytes of a kept segment or chunk.
    Keep(u64),
    /// Leaving out this many more bytes.
    Drop(u64),
    /// JPEG: entropy-coded data and what follows, copied as it is. PNG: after IEND.
    Rest,
    /// PDF: copied as it is.
    Copy,
}

/// Why an image could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the image is damaged or not a {0}")]
pub struct BadImage(pub &'static str);

impl MetadataStripper {
    pub fn new(format: FileType) -> Self {
        let state = if format.is_image() { StripState::Signature } else { StripState::Copy };
        MetadataStripper { format, state, head: Vec::with_capacity(8), ended: false }
    }

    fn bad(&self) -> BadImage {
        BadImage(self.format.label())
    }

    /// Feeds the next bytes; what the display copy keeps is appended to `out`.
    pub fn push(&mut self, mut input: &[u8], out: &mut Vec<u8>) -> Result<(), BadImage> {
        while !input.is_empty() {
            match self.state {
                StripState::Copy | StripState::Rest => {
                    // PNG: nothing after IEND is part of the image (it is left out).
                    if self.format != FileType::Png {
                        out.extend_from_slice(input);
                    }
                    return Ok(());
                }
                StripState::Keep(n) | StripState::Drop(n) => {
                    let take = (n.min(input.len() as u64)) as usize;
                    if matches!(self.state, StripState::Keep(_)) {
                        out.extend_from_slice(&input[..take]);
                    }
                    input = &input[take..];
                    let left = n - take as u64;
                    if left == 0 {
                        self.state = if self.ended { StripState::Rest } else { StripState::Header };
                    } else {
                        self.state = match self.state {
                            StripState::Keep(_) => StripState::Keep(left),
                            _ => StripState::Drop(left),
                        };
                    }
                }
                StripState::Signature | StripState::Header => {
                    let need = self.header_len();
                    let take = (need - self.head.len()).min(input.len());
                    self.head.extend_from_slice(&input[..take]);
                    input = &input[take..];
                    // A JPEG marker with a length needs two more bytes than its first two.
                    if self.head.len() == need && self.header_len() == need {
                        self.on_header(out)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// How many header bytes the current state needs.
    fn header_len(&self) -> usize {
        match (self.format, self.state) {
            // The signature, then each chunk's length (4) and type (4).
            (FileType::Png, _) => 8,
            (_, StripState::Signature) => 2,
            // A JPEG marker: FF xx; a marker with a length has two more bytes.
            _ => {
                if self.head.len() >= 2 && jpeg_marker_has_length(self.head[1]) {
                    4
                } else {
                    2
                }
            }
        }
    }

    fn on_header(&mut self, out: &mut Vec<u8>) -> Result<(), BadImage> {
        let head = std::mem::take(&mut self.head);
        match (self.format, self.state) {
            (FileType::Png, StripState::Signature) => {
                if head != b"\x89PNG\r\n\x1a\n" {
                    return Err(self.bad());
                }
                out.extend_from_slice(&head);
                self.state = StripState::Header;
            }
            (FileType::Png, _) => {
                let len = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as u64;
                let kind = &head[4..8];
                if len > 0x7FFF_FFFF || !kind.iter().all(u8::is_ascii_alphabetic) {
                    return Err(self.bad());
                }
                // PNG §11.3: text chunks, the Exif chunk and the modification time (PNG third
                // edition) carry what the uploader's software wrote, not the picture.
                let drop = matches!(kind, b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME");
                if drop {
                    self.state = StripState::Drop(len + 4);
                } else {
                    out.extend_from_slice(&head);
                    // The data and the CRC; after IEND's, the image is complete.
                    self.state = StripState::Keep(len + 4);
                    self.ended = kind == b"IEND";
                }
            }
            (_, StripState::Signature) => {
                if head != [0xFF, 0xD8] {
                    return Err(self.bad());
                }
                out.extend_from_slice(&head);
                self.state = StripState::Header;
            }
            _ => {
                if head[0] != 0xFF {
                    return Err(self.bad());
                }
                let marker = head[1];
                if marker == 0xFF {
                    // A fill byte (T.81 B.1.1.2): the marker follows.
                    self.head.push(0xFF);
                    return Ok(());
                }
                if !jpeg_marker_has_length(marker) {
                    out.extend_from_slice(&head);
                    if marker == 0xD9 {
                        self.state = StripState::Rest; // EOI
                    }
                    return Ok(());
                }
                let len = u16::from_be_bytes([head[2], head[3]]) as u64;
                if len < 2 {
                    return Err(self.bad());
                }
                // T.81 B.2.4.6 and JFIF/Exif: APPn and COM carry application data, not the
                // picture; APP0 (JFIF), APP2 (ICC profile) and APP14 (Adobe colour transform)
                // are needed to show it as made.
                let drop = matches!(marker, 0xE1 | 0xE3..=0xED | 0xEF | 0xFE);
                if drop {
                    self.state = StripState::Drop(len - 2);
                } else {
                    out.extend_from_slice(&head);
                    // SOS: the rest of its header, the entropy-coded data and everything after
                    // are copied as they are.
                    self.state = if marker == 0xDA { StripState::Rest } else { StripState::Keep(len - 2) };
                }
            }
        }
        Ok(())
    }

    /// Ends the stream: an image that stopped in the middle of its structure is an error.
    pub fn finish(&self) -> Result<(), BadImage> {
        match self.state {
            StripState::Copy | StripState::Rest => Ok(()),
            _ => Err(self.bad()),
        }
    }
}

/// Whether a JPEG marker is followed by a length (T.81 B.1.1.4: all but SOI, EOI, RSTn, TEM).
fn jpeg_marker_has_length(marker: u8) -> bool {
    !matches!(marker, 0xD8 | 0xD9 | 0xD0..=0xD7 | 0x01)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const JPEG: &[u8] = include_bytes!("../../testdata/attachments/key-image-with-exif.jpg");
    const PNG: &[u8] = include_bytes!("../../testdata/attachments/key-image-with-text.png");
    const PDF: &[u8] = include_bytes!("../../testdata/attachments/pathology-report.pdf");

    fn strip(format: FileType, bytes: &[u8], pieces: &[usize]) -> Result<Vec<u8>, BadImage> {
        let mut s = MetadataStripper::new(format);
        let mut out = Vec::new();
        let mut rest = bytes;
        for &n in pieces {
            let n = n.min(rest.len());
            s.push(&rest[..n], &mut out)?;
            rest = &rest[n..];
        }
        s.push(rest, &mut out)?;
        s.finish()?;
        Ok(out)
    }

    fn contains(hay: &[u8], needle: &[u8]) -> bool {
        hay.windows(needle.len()).any(|w| w == needle)
    }

    #[test]
    fn the_type_is_read_from_the_content() {
        assert_eq!(FileType::sniff(PDF), Some(FileType::Pdf));
        assert_eq!(FileType::sniff(PNG), Some(FileType::Png));
        assert_eq!(FileType::sniff(JPEG), Some(FileType::Jpeg));
        // An executable, an archive, a script, HTML and nothing at all, whatever their names.
        for bad in [&b"\x7fELF\x02\x01\x01"[..], b"MZ\x90\x00", b"PK\x03\x04", b"#!/bin/sh\n", b"<html>", b""] {
            assert_eq!(FileType::sniff(bad), None);
        }
        // "%PDF" without the dash, a PNG signature cut short.
        assert_eq!(FileType::sniff(b"%PDF1.4"), None);
        assert_eq!(FileType::sniff(&PNG[..7]), None);
    }

    #[test]
    fn a_jpeg_loses_exif_xmp_and_comments_and_keeps_its_picture() {
        assert!(contains(JPEG, b"Testperson") && contains(JPEG, b"Exif\0\0"));
        let out = strip(FileType::Jpeg, JPEG, &[]).unwrap();
        assert!(!contains(&out, b"Testperson"), "an identifier is left");
        assert!(!contains(&out, b"Exif\0\0") && !contains(&out, b"adobe:ns:meta"));
        assert!(out.starts_with(&[0xFF, 0xD8, 0xFF, 0xE0]) && out.ends_with(&[0xFF, 0xD9]), "JFIF kept, EOI kept");
        // The scan (from SOS to the end) is copied byte for byte.
        let sos = |b: &[u8]| b.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        assert_eq!(&out[sos(&out)..], &JPEG[sos(JPEG)..]);
        assert!(out.len() < JPEG.len());
        // Stripping the stripped copy changes nothing.
        assert_eq!(strip(FileType::Jpeg, &out, &[]).unwrap(), out);
    }

    #[test]
    fn a_png_loses_its_text_chunks_and_keeps_its_picture() {
        assert!(contains(PNG, b"Testperson"));
        let out = strip(FileType::Png, PNG, &[]).unwrap();
        assert!(!contains(&out, b"Testperson") && !contains(&out, b"tEXt") && !contains(&out, b"iTXt"));
        for kept in [&b"IHDR"[..], b"IDAT", b"IEND"] {
            assert!(contains(&out, kept));
        }
        assert_eq!(strip(FileType::Png, &out, &[]).unwrap(), out);
        // Bytes after IEND are not part of the image.
        let mut trailing = PNG.to_vec();
        trailing.extend_from_slice(b"<script>Jane Testperson</script>");
        assert_eq!(strip(FileType::Png, &trailing, &[]).unwrap(), out);
    }

    #[test]
    fn a_pdf_is_copied_as_it_is() {
        assert_eq!(strip(FileType::Pdf, PDF, &[3, 100]).unwrap(), PDF);
    }

    #[test]
    fn a_damaged_image_is_refused() {
        assert!(strip(FileType::Png, &PNG[..PNG.len() - 20], &[]).is_err(), "cut short");
        assert!(strip(FileType::Jpeg, &JPEG[..40], &[]).is_err(), "cut in the headers");
        assert!(strip(FileType::Jpeg, b"\xFF\xD8\x00\x00\x00", &[]).is_err(), "no marker");
        assert!(
            strip(FileType::Png, b"\x89PNG\r\n\x1a\n\x00\x00\x00\x01\x00\x01\x02\x03", &[]).is_err(),
            "bad chunk type"
        );
        assert!(strip(FileType::Jpeg, b"GIF89a", &[]).is_err());
    }

    proptest! {
        /// However the upload arrives in pieces, the display copy is the same.
        #[test]
        fn pieces_do_not_change_the_result(cuts in proptest::collection::vec(0usize..700, 0..12)) {
            prop_assert_eq!(strip(FileType::Jpeg, JPEG, &cuts).unwrap(), strip(FileType::Jpeg, JPEG, &[]).unwrap());
            prop_assert_eq!(strip(FileType::Png, PNG, &cuts).unwrap(), strip(FileType::Png, PNG, &[]).unwrap());
        }

        /// Any bytes at all: an answer, never a panic.
        #[test]
        fn any_bytes_give_an_answer(bytes in proptest::collection::vec(any::<u8>(), 0..300), jpeg in any::<bool>()) {
            let mut b = if jpeg { vec![0xFF, 0xD8] } else { b"\x89PNG\r\n\x1a\n".to_vec() };
            b.extend(bytes);
            let _ = strip(if jpeg { FileType::Jpeg } else { FileType::Png }, &b, &[5, 9]);
        }
    }

    fn input() -> AttachmentInput {
        AttachmentInput {
            kind: "pathology_report".into(),
            title: " Histology, liver biopsy ".into(),
            examined_on: "2026-11-20".into(),
            ..Default::default()
        }
    }

    fn today() -> chrono::NaiveDate {
        chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap()
    }

    #[test]
    fn fields_are_checked_and_the_specialty_defaults_to_the_uploaders() {
        let a = input().parse(Some(Specialty::Pathology), today()).unwrap();
        assert_eq!(
            (a.kind, a.title.as_str(), a.specialty),
            (AttachmentKind::PathologyReport, "Histology, liver biopsy", Specialty::Pathology)
        );
        assert_eq!(a.examined_on.as_deref(), Some("2026-11-20"));
        // A coordinator has no specialty: they name it.
        let err = input().parse(None, today()).unwrap_err();
        assert!(err.field_message("specialty").is_some());
        let chosen = AttachmentInput { specialty: "radiology".into(), ..input() };
        assert_eq!(chosen.parse(None, today()).unwrap().specialty, Specialty::Radiology);
        let bad = AttachmentInput {
            kind: "x-ray".into(),
            title: "".into(),
            examined_on: "2027-01-01".into(),
            specialty: "astrology".into(),
            supersedes: "'; DROP TABLE".into(),
        };
        let err = bad.parse(Some(Specialty::Surgery), today()).unwrap_err();
        for f in ["kind", "title", "examined_on", "specialty", "supersedes"] {
            assert!(err.field_message(f).is_some(), "{f}");
        }
        let other = AttachmentInput { kind: "other".into(), examined_on: "".into(), ..input() };
        assert_eq!(other.parse(Some(Specialty::Surgery), today()).unwrap().examined_on, None);
        assert!(withdrawal_reason("  ").is_err() && withdrawal_reason(" wrong patient ").unwrap() == "wrong patient");
    }

    #[test]
    fn a_download_is_named_by_title_and_date_not_by_the_uploaded_name() {
        let a = Attachment {
            id: "a".into(),
            case_id: "c".into(),
            kind: AttachmentKind::KeyImage,
            title: "CT arterial/phase <liver>".into(),
            examined_on: Some("2026-11-02".into()),
            specialty: Specialty::Radiology,
            content_type: "image/jpeg".into(),
            size_bytes: 1_400_000,
            sha256: String::new(),
            display_stripped: true,
            supersedes: None,
            superseded_by: None,
            uploaded_by: "u".into(),
            uploaded_by_name: "R".into(),
            uploaded_at: String::new(),
            version: 1,
            withdrawn: None,
        };
        assert_eq!(a.download_name(), "CT arterial_phase _liver_ 2026-11-02.jpg");
        assert!(a.is_image() && a.is_current());
        assert_eq!(size_label(a.size_bytes), "1.4 MB");
        assert_eq!(size_label(820_400), "820 KB");
    }
}
