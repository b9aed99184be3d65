use super::*;

fn grown(source: &str) -> String {
    let mut file: syn::File = syn::parse_str(source).unwrap();
    make_growable(&mut file).unwrap();
    prettyplease::unparse(&file)
}

#[test]
fn required_properties_are_the_parameters_of_new_and_the_others_have_setters() {
    let out = grown(
        r#"
        pub struct Body {
            #[serde(rename = "callbackUri")]
            pub callback_uri: ::std::string::String,
            #[serde(rename = "targets", default, skip_serializing_if = "::std::vec::Vec::is_empty")]
            pub targets: ::std::vec::Vec<Target>,
            #[serde(skip_serializing_if = "::std::option::Option::is_none")]
            pub subject: ::std::option::Option<::std::string::String>,
            #[serde(rename = "innerError", default)]
            pub inner_error: ::std::boxed::Box<::std::option::Option<Body>>,
            pub role: Role,
            #[serde(flatten)]
            pub extra: ::serde_json::Map<::std::string::String, ::serde_json::Value>,
        }
        pub enum Role { A }
        "#,
    );
    let squashed: String = out.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        squashed.contains("#[non_exhaustive] pub struct Body"),
        "{out}"
    );
    assert!(
        squashed.contains("#[non_exhaustive] pub enum Role"),
        "{out}"
    );
    assert!(
        squashed.contains(
            "pub fn new( callback_uri: impl ::std::convert::Into<::std::string::String>, role: Role, ) -> Self"
        ),
        "{out}"
    );
    assert!(
        squashed.contains("properties Graph requires (`callbackUri`, `role`)"),
        "{out}"
    );
    assert!(
        squashed.contains("pub fn with_targets( mut self, value: impl ::std::iter::IntoIterator<Item = Target>, ) -> Self"),
        "{out}"
    );
    assert!(
        squashed.contains("self.subject = ::std::option::Option::Some(value.into());"),
        "{out}"
    );
    assert!(
        squashed.contains(
            "self.inner_error = ::std::boxed::Box::new(::std::option::Option::Some(value));"
        ),
        "{out}"
    );
    assert!(!squashed.contains("with_extra"), "{out}");
    assert!(!squashed.contains("with_role"), "{out}");
    assert!(
        !squashed.contains("impl ::std::default::Default for Body"),
        "{out}"
    );
}

#[test]
fn a_struct_with_nothing_required_gets_default() {
    let out = grown(
        r#"
        pub struct Only {
            #[serde(rename = "clientContext", default = "defaults::context")]
            pub client_context: ::std::option::Option<::std::string::String>,
        }
        "#,
    );
    assert!(
        out.contains("impl ::std::default::Default for Only"),
        "{out}"
    );
    assert!(out.contains("client_context: defaults::context()"), "{out}");
    assert!(out.contains("Sets `clientContext`."), "{out}");
}

#[test]
fn a_struct_with_nothing_optional_does_not_speak_of_with_methods() {
    let out = grown("pub struct Role { pub role: Kind, #[serde(flatten)] pub extra: ::serde_json::Map<String, Value> }");
    assert!(
        out.contains("Makes one from the properties Graph requires (`role`)."),
        "{out}"
    );
    assert!(!out.contains("with_"), "{out}");
}

#[test]
fn a_default_typify_gave_is_not_given_twice() {
    let out = grown(
        "#[derive(Clone, Default)] pub struct A { pub a: ::std::option::Option<u8> }
         pub struct B { pub b: ::std::option::Option<u8> }
         impl ::std::default::Default for B { fn default() -> Self { B { b: None } } }",
    );
    assert_eq!(out.matches("Default for").count(), 1, "{out}");
    assert!(out.contains("pub fn new() -> Self"), "{out}");
}

#[test]
fn serde_arguments_in_a_list_are_skipped() {
    let out = grown(
        r#"pub struct S { #[serde(rename = "a-b", bound(serialize = "T: Serialize"), default)] pub a: u8 }"#,
    );
    assert!(out.contains("pub fn with_a(mut self, value: u8)"), "{out}");
    assert!(out.contains("Sets `a-b`."), "{out}");
}

#[test]
fn what_builders_cannot_be_made_for_is_refused() {
    let refused = |source: &str| {
        let mut file: syn::File = syn::parse_str(source).unwrap();
        make_growable(&mut file).unwrap_err()
    };
    assert_eq!(
        refused("pub struct S { #[serde(flatten)] pub inner: Inner }"),
        "`S.inner` is flattened but is not the map of unnamed properties"
    );
    assert_eq!(refused("pub struct G<T> { pub t: T }"), "`G` is generic");
}

#[test]
fn an_unreadable_serde_attribute_is_named() {
    let mut file: syn::File =
        syn::parse_str("pub struct S { #[serde(rename = 3)] pub a: u8 }").unwrap();
    let err = make_growable(&mut file).unwrap_err();
    assert!(err.starts_with("`S.a`: "), "{err}");
}
