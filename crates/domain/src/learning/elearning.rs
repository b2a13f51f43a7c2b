//! E-learning: modules made of lessons read in order, then a knowledge check with a pass mark.
//! The modules ship with whatmatters; a learner's progress is kept by the module's slug.
//!
//! Passing *Personalised care core skills* counts a professional as trained in personalised
//! care (as does attending an accredited course).

use super::Problem;

pub struct Module {
    pub slug: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    /// About how long it takes, in minutes (also its CPD time).
    pub minutes: i32,
    /// The share of questions to answer rightly to pass, as a percentage.
    pub pass_mark: i32,
    /// Passing it counts a professional as trained.
    pub counts_as_trained: bool,
    pub lessons: &'static [Lesson],
    pub questions: &'static [Question],
}

pub struct Lesson {
    pub title: &'static str,
    pub paragraphs: &'static [&'static str],
    /// The points to take away.
    pub points: &'static [&'static str],
}

pub struct Question {
    pub prompt: &'static str,
    pub options: &'static [&'static str],
    /// The index of the right option.
    pub answer: usize,
    /// Why it is right, shown after the check.
    pub why: &'static str,
}

/// A knowledge check marked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marked {
    pub right: usize,
    pub of: usize,
    /// Rounded down, so a pass is never rounded into being.
    pub percent: i32,
    pub passed: bool,
    /// For each question, whether it was answered rightly.
    pub each: Vec<bool>,
}

impl Module {
    pub fn lesson(&self, n: usize) -> Option<&'static Lesson> {
        self.lessons.get(n)
    }

    /// Marks a knowledge check: one answer (an option's index) for each question, in order.
    /// A question left unanswered, or an answer that is not one of its options, is a problem
    /// named by the question.
    pub fn mark(&self, answers: &[Option<usize>]) -> Result<Marked, Vec<Problem>> {
        let mut problems = Vec::new();
        let mut each = Vec::with_capacity(self.questions.len());
        for (i, q) in self.questions.iter().enumerate() {
            match answers.get(i).copied().flatten() {
                Some(a) if a < q.options.len() => each.push(a == q.answer),
                _ => problems.push(Problem {
                    field: format!("q{i}"),
                    message: format!("Answer question {}", i + 1),
                }),
            }
        }
        if answers.len() > self.questions.len() {
            problems.push(Problem {
                field: "answers".into(),
                message: format!(
                    "The check has {} questions; {} answers were sent",
                    self.questions.len(),
                    answers.len()
                ),
            });
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let right = each.iter().filter(|r| **r).count();
        let of = each.len().max(1);
        let percent = i32::try_from(right * 100 / of).unwrap_or(0);
        Ok(Marked {
            right,
            of: each.len(),
            percent,
            passed: percent >= self.pass_mark,
            each,
        })
    }
}

pub fn module(slug: &str) -> Option<&'static Module> {
    MODULES.iter().find(|m| m.slug == slug)
}

/// The module whose completion counts a professional as trained.
pub const CORE_SKILLS: &str = "core-skills";

/// The national aim for professionals trained in personalised care.
pub const TRAINED_AIM: u64 = 75_000;

/// Steps 1 and 2 of the Peer Leadership Development Programme.
pub const PLDP_STEP_1: &str = "peer-leadership-foundations";
pub const PLDP_STEP_2: &str = "peer-leadership-developing";

pub static MODULES: [Module; 6] = [
    Module {
        slug: CORE_SKILLS,
        title: "Personalised care core skills",
        summary: "The conversations at the heart of personalised care: finding out what matters to someone, building on their strengths, and agreeing next steps together.",
        minutes: 45,
        pass_mark: 75,
        counts_as_trained: true,
        lessons: &[
            Lesson {
                title: "What matters to you",
                paragraphs: &[
                    "Personalised care starts from a different question. Instead of asking only \"what is the matter with you?\", we also ask \"what matters to you?\". The answer shapes everything that follows: the goals a person sets, the support they choose and how they judge whether it has worked.",
                    "People are experts in their own lives. A good conversation makes room for that knowledge: it is unhurried, uses open questions, and leaves the person feeling heard rather than assessed.",
                ],
                points: &[
                    "Ask what matters, not only what is the matter.",
                    "Use open questions and listen more than you talk.",
                    "Record what matters in the person's own words.",
                ],
            },
            Lesson {
                title: "Strengths and health literacy",
                paragraphs: &[
                    "Every person has strengths: skills, relationships, interests and places they feel at home. Building on them is more lasting than fixing deficits, and it helps people feel able to act.",
                    "Check that information lands. Use plain words, offer one idea at a time and ask the person to say in their own words what they will do next (teach-back). If it did not land, the fault is in the explanation, not the listener.",
                ],
                points: &[
                    "Look for strengths as carefully as for needs.",
                    "Use teach-back to check understanding.",
                ],
            },
            Lesson {
                title: "Agreeing next steps",
                paragraphs: &[
                    "A conversation ends with steps the person has chosen, small enough to start this week, with a plan for what to do if things get in the way. Write them down and share them with the person.",
                    "Agree when you will next talk, and who else needs to know. Personalised care is a relationship over time, not a single appointment.",
                ],
                points: &[
                    "Steps are the person's own, small and specific.",
                    "Share the plan, and agree when you will talk again.",
                ],
            },
        ],
        questions: &[
            Question {
                prompt: "Which question is at the heart of personalised care?",
                options: &[
                    "What is the matter with you?",
                    "What matters to you?",
                    "Which service do you need?",
                ],
                answer: 1,
                why: "Asking what matters to someone puts their priorities at the centre.",
            },
            Question {
                prompt: "A person nods after you explain their options. What is the best next step?",
                options: &[
                    "Move on: nodding means they understood",
                    "Ask them to say in their own words what they will do next",
                    "Give them a leaflet and end the conversation",
                ],
                answer: 1,
                why: "Teach-back checks that information has landed.",
            },
            Question {
                prompt: "Which goal is most likely to be reached?",
                options: &[
                    "Get healthier",
                    "Walk to the park with my neighbour on Tuesday and Friday mornings",
                    "Whatever the clinician suggests",
                ],
                answer: 1,
                why: "Small, specific steps the person chose are more likely to happen.",
            },
            Question {
                prompt: "What is a strengths-based approach?",
                options: &[
                    "Starting from what the person can already do and who they have around them",
                    "Listing every problem first so nothing is missed",
                    "Referring to as many services as possible",
                ],
                answer: 0,
                why: "Strengths-based work builds on skills, relationships and interests.",
            },
        ],
    },
    Module {
        slug: "shared-decision-making",
        title: "Shared decision making",
        summary: "How clinicians and people decide together, weighing the options' benefits, risks and consequences against what matters to the person.",
        minutes: 40,
        pass_mark: 75,
        counts_as_trained: false,
        lessons: &[
            Lesson {
                title: "Why decide together",
                paragraphs: &[
                    "Shared decision making brings together two kinds of expertise: the professional's knowledge of the options and the evidence, and the person's knowledge of their own life, values and priorities.",
                    "It matters most when there is more than one reasonable option, including doing nothing. People who take part in decisions are more likely to be confident in them and to follow them through.",
                ],
                points: &[
                    "Two experts in the room: the professional and the person.",
                    "Doing nothing, or waiting, is always an option to discuss.",
                ],
            },
            Lesson {
                title: "Talking about options and risk",
                paragraphs: &[
                    "Describe each option with its benefits, risks and what it would mean day to day. Give risks as natural frequencies (\"about 3 in every 100 people\") rather than percentages or words like \"rare\", and use the same denominator throughout.",
                    "Decision aids can help, but they support the conversation rather than replace it.",
                ],
                points: &[
                    "Use natural frequencies with the same denominator.",
                    "Ask: what is important to you as you think about these?",
                ],
            },
            Lesson {
                title: "Recording the decision",
                paragraphs: &[
                    "Record the options discussed, what mattered most to the person, the decision and who made it, and when it will be revisited. The record helps everyone involved later understand why.",
                ],
                points: &["Record options, priorities, the decision and when to review it."],
            },
        ],
        questions: &[
            Question {
                prompt: "When is shared decision making most needed?",
                options: &[
                    "When there is only one treatment",
                    "When there is more than one reasonable option",
                    "Only for surgery",
                ],
                answer: 1,
                why: "Where options differ, the person's values decide which is best for them.",
            },
            Question {
                prompt: "Which way of giving a risk is clearest?",
                options: &[
                    "It is uncommon",
                    "About 3 in every 100 people",
                    "A 0.03 probability",
                ],
                answer: 1,
                why: "Natural frequencies are understood most widely.",
            },
            Question {
                prompt: "Is \"do nothing for now\" an option to discuss?",
                options: &["Yes, always", "Never", "Only if the person asks"],
                answer: 0,
                why: "Waiting or not treating is a real option with its own benefits and risks.",
            },
            Question {
                prompt: "What should a record of a shared decision include?",
                options: &[
                    "Only the treatment chosen",
                    "The options discussed, what mattered to the person and the decision",
                    "The clinician's recommendation alone",
                ],
                answer: 1,
                why: "The record explains the decision to everyone involved later.",
            },
        ],
    },
    Module {
        slug: "care-planning",
        title: "Personalised care and support planning",
        summary: "Preparing for, holding and following up the conversations that lead to a personalised care and support plan the person owns.",
        minutes: 50,
        pass_mark: 75,
        counts_as_trained: false,
        lessons: &[
            Lesson {
                title: "Preparing together",
                paragraphs: &[
                    "Good planning starts before the conversation. Share results and information with the person beforehand, and invite them to think about what matters to them, what is going well and what they would like to change.",
                ],
                points: &["Share information before the conversation, not during it."],
            },
            Lesson {
                title: "The planning conversation",
                paragraphs: &[
                    "Begin with the person's priorities. Agree goals in their words, then actions: who will do what, by when. Include support from family, friends and the community, not only services.",
                    "Plan for what might go wrong: who to contact, and what to do, if things get worse.",
                ],
                points: &[
                    "Goals in the person's words; actions with a who and a when.",
                    "Include community support and a contingency plan.",
                ],
            },
            Lesson {
                title: "A plan that lives",
                paragraphs: &[
                    "The plan belongs to the person. Give them a copy in a form they can use, share it with those they agree to, and review it at an agreed time or when things change.",
                ],
                points: &["The person holds the plan; review it as life changes."],
            },
        ],
        questions: &[
            Question {
                prompt: "When should results be shared with the person?",
                options: &[
                    "Before the planning conversation",
                    "Only if they ask",
                    "After the plan is written",
                ],
                answer: 0,
                why: "Time to think beforehand lets the person come ready to plan.",
            },
            Question {
                prompt: "Whose words should a goal be written in?",
                options: &["The clinician's", "The person's", "The commissioner's"],
                answer: 1,
                why: "Goals in the person's words remain theirs.",
            },
            Question {
                prompt: "What belongs in a contingency plan?",
                options: &[
                    "What to do, and whom to contact, if things get worse",
                    "A list of every diagnosis",
                    "The next appointment date only",
                ],
                answer: 0,
                why: "Knowing what to do when things go wrong keeps people safe and in control.",
            },
            Question {
                prompt: "Who owns a personalised care and support plan?",
                options: &["The GP practice", "The person", "The link worker"],
                answer: 1,
                why: "The plan is the person's, shared with those they choose.",
            },
        ],
    },
    Module {
        slug: "maternity-pcsp",
        title: "Maternity personalised care and support planning",
        summary: "Planning care through pregnancy, birth and after with women and birthing people, around what matters to them.",
        minutes: 40,
        pass_mark: 75,
        counts_as_trained: false,
        lessons: &[
            Lesson {
                title: "Starting early",
                paragraphs: &[
                    "A maternity plan starts at booking and grows through pregnancy. Ask about hopes and worries, who is important to the person, and anything in their life that affects their care, such as work, caring for others or past experiences.",
                ],
                points: &["Start at booking; ask about hopes, worries and who matters."],
            },
            Lesson {
                title: "Choices about birth",
                paragraphs: &[
                    "Talk through where to give birth and the options for pain relief and for the birth itself, with balanced information about benefits and risks. Revisit the choices as pregnancy goes on: circumstances and preferences change.",
                ],
                points: &["Offer balanced information and revisit choices as things change."],
            },
            Lesson {
                title: "After the birth",
                paragraphs: &[
                    "Plan for the weeks after birth too: feeding, recovery, emotional wellbeing and support at home. Make sure the person knows whom to contact, day and night.",
                ],
                points: &["Plan for after the birth, including mental wellbeing."],
            },
        ],
        questions: &[
            Question {
                prompt: "When should maternity care planning start?",
                options: &["At booking", "At 36 weeks", "After the birth"],
                answer: 0,
                why: "Starting early gives time to plan together.",
            },
            Question {
                prompt: "How often should birth choices be discussed?",
                options: &[
                    "Once, at booking",
                    "Through pregnancy, as things change",
                    "Only if there is a complication",
                ],
                answer: 1,
                why: "Preferences and circumstances change during pregnancy.",
            },
            Question {
                prompt: "Which belongs in the plan for after the birth?",
                options: &[
                    "Emotional wellbeing and whom to contact",
                    "Nothing: care ends at birth",
                    "Only the baby's checks",
                ],
                answer: 0,
                why: "Recovery and wellbeing after birth matter as much as the birth itself.",
            },
            Question {
                prompt: "Information about birth options should be...",
                options: &[
                    "Balanced, with benefits and risks",
                    "Focused on the option staff prefer",
                    "Left until labour",
                ],
                answer: 0,
                why: "Balanced information supports a real choice.",
            },
        ],
    },
    Module {
        slug: PLDP_STEP_1,
        title: "Peer leadership step 1: foundations",
        summary: "Step 1 of the Peer Leadership Development Programme: what peer leadership is, how lived experience becomes a strength in partnership with professionals, and looking after yourself while you do it.",
        minutes: 60,
        pass_mark: 75,
        counts_as_trained: false,
        lessons: &[
            Lesson {
                title: "What a peer leader does",
                paragraphs: &[
                    "A peer leader uses their own experience of living with a condition, caring for someone or using services to help make care better. They work in equal partnership with professionals: in meetings about how services are designed, on interview panels, alongside others who are going through what they went through.",
                    "Peer leadership is not about one story told again and again. It is about drawing on experience, yours and other people's, to ask good questions and suggest practical changes.",
                ],
                points: &[
                    "Peer leaders work in equal partnership with professionals.",
                    "Experience is used to ask questions and shape change, not only to tell a story.",
                ],
            },
            Lesson {
                title: "From experience to insight",
                paragraphs: &[
                    "Your experience is one view. You turn it into insight by noticing what helped and what got in the way, and by listening for what others have in common with you and where they differ.",
                    "When you speak in a meeting, start from what you noticed, say what difference a change would make, and invite others to add what they have seen.",
                ],
                points: &[
                    "Notice what helped and what got in the way.",
                    "Connect your experience with other people's.",
                ],
            },
            Lesson {
                title: "Looking after yourself",
                paragraphs: &[
                    "Talking about hard times can bring them back. Decide beforehand what you are happy to share, and what you will keep to yourself. It is fine to say \"I would rather not go into that\".",
                    "Agree with the organisation who will support you, how you will be paid or have your expenses met, and what adjustments you need to take part.",
                ],
                points: &[
                    "Decide what you will and will not share.",
                    "Agree support, payment and adjustments before you start.",
                ],
            },
        ],
        questions: &[
            Question {
                prompt: "How does a peer leader work with professionals?",
                options: &[
                    "As an equal partner",
                    "As someone who only tells their story",
                    "As a member of staff who follows instructions",
                ],
                answer: 0,
                why: "Peer leaders work in equal partnership with professionals.",
            },
            Question {
                prompt: "How do you turn your experience into insight?",
                options: &[
                    "By repeating your story in every meeting",
                    "By noticing what helped and what got in the way, and listening to others",
                    "By avoiding other people's views",
                ],
                answer: 1,
                why: "Insight comes from reflecting on experience and connecting it with other people's.",
            },
            Question {
                prompt: "Before you take part, what should you agree with the organisation?",
                options: &[
                    "Nothing: just turn up",
                    "Only the date",
                    "Support, payment or expenses, and any adjustments you need",
                ],
                answer: 2,
                why: "Agreeing these first lets you take part safely and fairly.",
            },
            Question {
                prompt: "Someone asks about a part of your story you would rather keep private. What can you do?",
                options: &[
                    "You must always answer",
                    "Say you would rather not go into that",
                    "Leave the meeting",
                ],
                answer: 1,
                why: "You decide what you share.",
            },
        ],
    },
    Module {
        slug: PLDP_STEP_2,
        title: "Peer leadership step 2: developing as a peer leader",
        summary: "Step 2 of the Peer Leadership Development Programme: influencing decisions, working in groups and co-designing services, ready for a facilitated group in step 3.",
        minutes: 75,
        pass_mark: 75,
        counts_as_trained: false,
        lessons: &[
            Lesson {
                title: "Influencing decisions",
                paragraphs: &[
                    "Decisions about services are made in boards, committees and planning groups. Find out beforehand what is being decided, who decides, and when your view will be heard.",
                    "Bring one or two clear points and a suggestion for each. Ask how your view will be used, and what will be reported back.",
                ],
                points: &[
                    "Know what is being decided, by whom and when.",
                    "Bring clear points with suggestions, and ask for feedback.",
                ],
            },
            Lesson {
                title: "Co-design",
                paragraphs: &[
                    "Co-design means people who use a service and people who provide it designing it together, from the start, with equal say. It is more than being consulted on a finished plan.",
                    "Good co-design makes room for different voices: it uses plain language, meets where and when people can come, and pays people for their time.",
                ],
                points: &[
                    "Co-design starts early and shares power.",
                    "Make room for voices that are seldom heard.",
                ],
            },
            Lesson {
                title: "Working in a group",
                paragraphs: &[
                    "In step 3 you will meet a small group with a facilitator. You will practise speaking up, listening and giving each other feedback, and plan something you will do as a peer leader.",
                    "Groups work when everyone agrees how they will treat each other: what is said stays in the group, everyone has a turn, and disagreement is kind.",
                ],
                points: &[
                    "Agree how the group will work together.",
                    "Practise speaking up and listening.",
                ],
            },
        ],
        questions: &[
            Question {
                prompt: "What is co-design?",
                options: &[
                    "Being asked for comments on a finished plan",
                    "People who use and provide a service designing it together from the start",
                    "A survey sent after a service has changed",
                ],
                answer: 1,
                why: "Co-design shares power from the start.",
            },
            Question {
                prompt: "You have a place on a committee. What should you find out first?",
                options: &[
                    "What is being decided, who decides and when your view is heard",
                    "Only where the meeting is",
                    "Nothing: you will find out on the day",
                ],
                answer: 0,
                why: "Knowing how a decision is made lets you influence it.",
            },
            Question {
                prompt: "What helps a group work well?",
                options: &[
                    "Letting the loudest person decide",
                    "Agreeing how members will treat each other",
                    "Keeping meetings as short as possible",
                ],
                answer: 1,
                why: "A shared agreement makes it safe for everyone to take part.",
            },
            Question {
                prompt: "How can co-design reach people who are seldom heard?",
                options: &[
                    "Hold meetings only in office hours at headquarters",
                    "Use plain language, meet where people can come, and pay for their time",
                    "Only invite people who have taken part before",
                ],
                answer: 1,
                why: "Removing barriers brings in more voices.",
            },
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_module_is_whole() {
        let mut slugs: Vec<_> = MODULES.iter().map(|m| m.slug).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), MODULES.len());
        for m in &MODULES {
            assert!(
                !m.lessons.is_empty() && !m.questions.is_empty(),
                "{}",
                m.slug
            );
            assert!(m.slug.len() <= 40);
            for q in m.questions {
                assert!(q.answer < q.options.len(), "{}: {}", m.slug, q.prompt);
            }
        }
        assert_eq!(
            MODULES.iter().filter(|m| m.counts_as_trained).count(),
            1,
            "only core skills counts as trained"
        );
    }

    #[test]
    fn marking_names_what_is_missing_and_rounds_down() {
        let m = module(CORE_SKILLS).unwrap();
        let e = m.mark(&[Some(1), None, Some(9)]).unwrap_err();
        let fields: Vec<_> = e.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["q1", "q2", "q3"]);
        let all: Vec<_> = m.questions.iter().map(|q| Some(q.answer)).collect();
        let r = m.mark(&all).unwrap();
        assert_eq!((r.right, r.percent, r.passed), (4, 100, true));
        let mut three = all.clone();
        three[0] = Some((m.questions[0].answer + 1) % m.questions[0].options.len());
        let r = m.mark(&three).unwrap();
        assert_eq!((r.right, r.percent, r.passed), (3, 75, true));
        three[1] = Some((m.questions[1].answer + 1) % m.questions[1].options.len());
        assert!(!m.mark(&three).unwrap().passed);
        let mut long = all.clone();
        long.push(Some(0));
        assert!(m.mark(&long).is_err());
    }
}
