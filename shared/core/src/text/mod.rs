//! The text layer shared by research, mail parsing, classification and engage: one way to
//! declare a pattern (`patterns`), one reader of visible and hidden HTML text (`html`), one
//! prompt-injection detector (`injection`) and one multilingual date reader (`dates`).

pub mod patterns;
