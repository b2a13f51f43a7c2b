//! PRSB "About Me": seven sections, written with the person.

pub const SECTIONS: [(&str, &str); 7] = [
    ("most_important", "What is most important to me"),
    ("important_people", "People who are important to me"),
    (
        "communication",
        "How I communicate and how to communicate with me",
    ),
    ("wellness", "My wellness"),
    ("do_and_dont", "Please do and please do not"),
    ("support", "How and when to support me"),
    ("also_worth_knowing", "Also worth knowing about me"),
];
