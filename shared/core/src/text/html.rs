//! The one reader of what HTML hides: markup (`hidden`, `aria-hidden`, hidden inputs,
//! `<font size=0>`), the CSS rules of [`super::css`] and paint the same colour as what is
//! behind it. Research walks pages with a stylesheet [`Sheet`] and tracks the background;
//! mail parsing reads inline styles only ([`inline_hides`]), where white text on a light
//! background is the usual trick.

pub use super::css::{
    Paint, Rgb, Sheet, Style, near, parse_background, parse_declarations, parse_paint,
};

/// Hidden by markup alone: `hidden`, `aria-hidden="true"`, `<input type=hidden>`, `<font
/// size=0>`.
pub fn hidden_by_markup(el: &scraper::node::Element) -> bool {
    let tag = el.name();
    el.attr("hidden").is_some()
        || el
            .attr("aria-hidden")
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        || (tag.eq_ignore_ascii_case("input")
            && el
                .attr("type")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("hidden")))
        || (tag.eq_ignore_ascii_case("font") && el.attr("size").is_some_and(|s| s.trim() == "0"))
}

/// Whether an element hides its text when only its markup and inline style are known (mail
/// HTML): what [`hidden_by_markup`] and [`parse_declarations`] say, and white or nearly
/// white text (`color`, `<font color>`) unless an ancestor set a dark background.
pub fn inline_hides(el: &scraper::node::Element, dark_background: bool) -> bool {
    if hidden_by_markup(el) {
        return true;
    }
    if el.name().eq_ignore_ascii_case("font")
        && !dark_background
        && el
            .attr("color")
            .is_some_and(|c| parse_paint(c).is_whiteish())
    {
        return true;
    }
    let Some(inline) = el.attr("style") else {
        return false;
    };
    let style = parse_declarations(inline);
    style.hides || (!dark_background && style.color.is_some_and(|c| c.is_whiteish()))
}

/// Whether an element sets a background that white text is readable on: any colour that is
/// not white-ish, transparent or none (a gradient or an image counts as dark).
pub fn sets_dark_background(el: &scraper::node::Element) -> bool {
    if let Some(bg) = el.attr("bgcolor") {
        return !parse_paint(bg).is_whiteish();
    }
    match el.attr("style").map(parse_declarations) {
        Some(Style {
            background: Some(bg),
            ..
        }) => !bg.is_whiteish() && bg != Paint::Transparent,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scraper::{Html, Selector};

    fn hides(html: &str, dark: bool) -> bool {
        let doc = Html::parse_fragment(html);
        let Ok(sel) = Selector::parse("#t") else {
            return false;
        };
        doc.select(&sel)
            .next()
            .is_some_and(|e| inline_hides(e.value(), dark))
    }

    #[test]
    fn inline_styles_and_markup_that_hide() {
        for h in [
            r#"<div id="t" style="display: none">x</div>"#,
            r#"<div id="t" style="visibility:hidden">x</div>"#,
            r#"<div id="t" style="opacity:0">x</div>"#,
            r#"<span id="t" style="font-size:1px">x</span>"#,
            r#"<span id="t" style="font-size:1pt">x</span>"#,
            r#"<span id="t" style="font-size:0.1em">x</span>"#,
            r#"<div id="t" style="mso-hide:all">x</div>"#,
            r#"<div id="t" style="max-height:0;overflow:hidden">x</div>"#,
            r#"<div id="t" style="position:absolute;left:-9999px">x</div>"#,
            r#"<div id="t" aria-hidden="true">x</div>"#,
            r#"<div id="t" hidden>x</div>"#,
            r#"<font id="t" size="0">x</font>"#,
            r#"<span id="t" style="color:#fefefe">x</span>"#,
            r#"<font id="t" color="white">x</font>"#,
        ] {
            assert!(hides(h, false), "{h}");
        }
    }

    #[test]
    fn readable_text_is_not_hidden() {
        for h in [
            r#"<div id="t" style="color:#333;font-size:14px">x</div>"#,
            r#"<div id="t" style="text-indent:-5px">x</div>"#,
            r#"<p id="t">x</p>"#,
        ] {
            assert!(!hides(h, false), "{h}");
        }
        // White on a dark background is readable.
        assert!(!hides(r#"<span id="t" style="color:white">x</span>"#, true));
    }

    #[test]
    fn same_colour_as_the_background_is_near() {
        assert!(near((255, 255, 255), (250, 250, 250)));
        assert!(!near((255, 255, 255), (0, 0, 0)));
        assert_eq!(parse_background("url(x.png) #000"), Paint::Unknown);
        assert_eq!(parse_background("#000 url(x.png)"), Paint::Unknown);
        assert_eq!(parse_background("none"), Paint::Transparent);
        assert!(parse_paint("rgb(250, 250, 250)").is_whiteish());
    }
}
