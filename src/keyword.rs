//! Enums that are written as words (`"deny"`, `"rate_limited"`, `"host_in"`): one macro
//! gives each its text, its parser, `ALL` in declaration order, and `Display`, so the
//! name of a variant is written exactly once.

/// Declares a fieldless enum whose variants are spelt as given:
///
/// ```
/// policylayer::keywords! {
///     #[derive(Debug, Clone, Copy, PartialEq, Eq)]
///     pub enum Color { Red = "red", Green = "green" }
/// }
/// assert_eq!(Color::from_name("red"), Some(Color::Red));
/// assert_eq!(Color::Green.to_string(), "green");
/// assert_eq!(Color::ALL.len(), 2);
/// ```
#[macro_export]
macro_rules! keywords {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every variant, in declaration order.
            pub const ALL: [$name; <[&str]>::len(&[$($text),+])] = [$($name::$variant),+];

            /// The word for this variant.
            pub fn as_str(self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }

            /// The variant a word names.
            pub fn from_name(name: &str) -> Option<$name> {
                match name {
                    $( $text => Some($name::$variant), )+
                    _ => None,
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<$name> for &'static str {
            fn from(k: $name) -> &'static str {
                k.as_str()
            }
        }
    };
}
