"""The readable text of the walls' "real" pages: plausible patient information.

Each text is a tuple of blocks for site.article ("## " starts a subheading).
Real pages carry well over 1,500 characters of text so that a judge can tell
them from a wall, whose main content is a form and a sentence or two. The
text is illustrative, written for the simulated hub; it is not medical advice.
"""

from __future__ import annotations

CAR_T_GUIDE_TITLE = "CAR T-cell therapy: a guide for patients"
CAR_T_GUIDE = (
    "CAR T-cell therapy is a type of immunotherapy that uses your own immune cells to treat "
    "some blood cancers. T cells are white blood cells that normally help your body fight "
    "infection. In CAR T-cell therapy, some of your T cells are collected from your blood and "
    "changed in a laboratory so that they carry a new receptor, called a chimeric antigen "
    "receptor (CAR), which helps them find and attack cancer cells.",
    "It is currently used for some types of lymphoma, acute lymphoblastic leukaemia and "
    "myeloma, usually when other treatments have not worked or the cancer has come back. "
    "Your specialist will talk to you about whether it could be suitable for you.",
    "## Before treatment",
    "You will have tests to check that you are well enough for treatment, including blood "
    "tests, heart and lung tests and scans. Your T cells are then collected in a process "
    "called apheresis, which takes a few hours. Blood is taken from a vein, passed through a "
    "machine that separates out the T cells, and returned to you.",
    "It usually takes three to six weeks to make your CAR T-cells. During this time some "
    "people have bridging therapy, such as chemotherapy or radiotherapy, to keep the cancer "
    "under control.",
    "## Having the treatment",
    "A few days before your infusion you will have a short course of chemotherapy, known as "
    "lymphodepletion. It lowers the number of other immune cells in your body and gives the "
    "CAR T-cells room to grow. The CAR T-cells are then given through a drip into a vein; the "
    "infusion itself often takes less than half an hour.",
    "## After treatment",
    "You will need to stay in hospital, or very close to it, for at least two weeks after "
    "your infusion, and you should not drive for eight weeks. Your team will watch closely "
    "for side effects such as cytokine release syndrome and effects on the nervous system. "
    "Most side effects can be treated if they are spotted early, so tell your team straight "
    "away if you feel unwell.",
    "You will need a carer with you for the first few weeks. Ask your team about help with "
    "travel and accommodation costs: many treatment centres can offer support.",
)

APHERESIS_TITLE = "Preparing for apheresis: what to expect on collection day"
APHERESIS = (
    "Apheresis is the first practical step of CAR T-cell therapy. It is the procedure used to "
    "collect your T cells so that they can be sent to a laboratory and made into your "
    "treatment. Most people find it easier than they expected, but knowing what will happen "
    "can make the day less stressful.",
    "## Before the day",
    "Your team will check your blood counts in the days before collection. Drink plenty of "
    "fluids the day before and eat a good breakfast, unless you have been told otherwise. "
    "Wear warm, comfortable clothes with sleeves that roll up easily, because you may feel "
    "cold during the procedure.",
    "If the veins in your arms are small or hard to find, a thin tube called a central line "
    "may be put into a large vein in your neck or chest. This is usually done on the same day "
    "or the day before.",
    "## During collection",
    "You will lie on a bed or sit in a reclining chair. A needle or line takes blood from one "
    "vein into the apheresis machine, which spins it to separate out the white cells. The "
    "rest of your blood is returned to you through a second line. The procedure usually takes "
    "between three and six hours, and a nurse stays with you throughout.",
    "Some people notice tingling around the lips or in the fingers. This is caused by the "
    "anticoagulant that stops your blood clotting in the machine and is easily treated with "
    "calcium, so tell the nurse if it happens.",
    "## Afterwards",
    "Most people go home the same day. You may feel tired, so arrange for someone to take you "
    "home. Your cells are checked, frozen and sent to the manufacturing laboratory, and your "
    "team will tell you when to expect them back.",
)

NEWS_FREE_TITLE = "New CAR-T service opens for people with myeloma"
NEWS_FREE = (
    "A new CAR T-cell therapy service for people with multiple myeloma has opened at Example "
    "University Hospital, meaning patients in the region will no longer need to travel more "
    "than a hundred miles for treatment.",
    "The service will treat up to forty patients a year whose myeloma has come back after "
    "several lines of treatment. Until now, most patients from the area had to stay near a "
    "treatment centre in another city for at least four weeks after their infusion, often "
    "with a family member who had to take time off work.",
    "Dr Jane Example, the consultant haematologist who leads the service, said: \u201cCAR-T "
    "has changed what we can offer people with relapsed myeloma, but the distance to "
    "treatment has been a real barrier. Having treatment closer to home makes a big "
    "difference to patients and their carers.\u201d",
    "The hospital has trained a dedicated team of nurses to recognise and manage the side "
    "effects of CAR-T, including cytokine release syndrome and neurological effects, which "
    "usually appear in the first two weeks after infusion. An intensive care bed is kept "
    "available for patients who need extra support.",
    "Patient groups welcomed the news. A spokesperson for a regional myeloma support group "
    "said that travel and accommodation costs were among the issues members raised most "
    "often, and that they hoped other regions would follow.",
    "Patients who think they may be eligible should speak to their own haematologist, who "
    "can make a referral. The hospital has also published information for patients and "
    "carers on what to expect before, during and after treatment.",
)

NEWS_PAYWALLED_TITLE = "Earlier referral linked to better CAR-T results, study finds"
NEWS_PAYWALLED_TEASER = (
    "People with lymphoma who were referred for CAR T-cell therapy soon after their cancer "
    "came back did better than those referred later, according to a study of more than 800 "
    "patients published this week. Researchers say delays in referral are common and often "
    "avoidable.",
)

TRAVEL_TITLE = "Travel and accommodation support during CAR-T treatment"
TRAVEL = (
    "Most people having CAR T-cell therapy need to stay within an hour of their treatment "
    "centre for at least four weeks after their infusion. For many families this means time "
    "away from home, extra travel and unexpected costs. This page explains the help that is "
    "available.",
    "## Help with travel costs",
    "If you receive certain benefits or have a low income, you may be able to claim back the "
    "cost of travel to hospital through the Healthcare Travel Costs Scheme. Keep your tickets "
    "and receipts, and ask the cashier's office at the hospital how to make a claim. Some "
    "treatment centres also have their own funds to help with fuel and parking.",
    "## Somewhere to stay",
    "Several treatment centres have accommodation for patients and carers on or near the "
    "hospital site, often free of charge or at a reduced rate. Rooms are limited, so ask your "
    "clinical nurse specialist to book as early as possible, ideally when your cells are "
    "collected. If there is no hospital accommodation, the team can usually suggest nearby "
    "places that offer discounts to patients.",
    "## Grants from our charity",
    "We offer one-off grants of up to \u00a3500 to help with the extra costs of CAR T-cell "
    "therapy, such as travel, accommodation, meals and childcare. You can apply at any point "
    "during treatment, and a member of your care team will need to support your application. "
    "Most applications are decided within ten working days.",
)
TRAVEL_CONTACT = (
    "To ask about a grant, or for help finding accommodation, email our support team at "
    "{email} or call our free support line on 0800 000 0000, Monday to Friday, 9am to 5pm."
)
"""The last paragraph; {email} becomes Cloudflare's obfuscated address markup."""

RECOVERY_TITLE = "Life after CAR-T: follow-up care and recovery"
RECOVERY = (
    "Recovery after CAR T-cell therapy takes time. Most people leave hospital within a few "
    "weeks of their infusion, but it can be several months before energy levels return to "
    "normal and the immune system recovers. This page explains what follow-up care usually "
    "involves and what you can do to look after yourself.",
    "## The first month",
    "For the first four weeks you will need to stay close to your treatment centre and have a "
    "carer with you at all times. You will have regular check-ups, often two or three times a "
    "week, with blood tests to check your blood counts and your kidney and liver function. "
    "Your team will give you an alert card saying that you have had CAR T-cell therapy: carry "
    "it with you and show it to any doctor or nurse who treats you.",
    "## Driving and everyday activities",
    "You should not drive or operate heavy machinery for at least eight weeks after your "
    "infusion, because of the small risk of delayed confusion, seizures or problems with "
    "coordination. Gentle exercise, such as short walks, can help with tiredness. Build up "
    "slowly and rest when you need to.",
    "## Infections and vaccinations",
    "CAR T-cell therapy can lower your immune defences for many months. Some people need "
    "regular infusions of antibodies, called immunoglobulins, to help prevent infections. "
    "Contact your team straight away if you have a temperature of 38\u00b0C or above, "
    "shivering, or feel suddenly unwell. You will need your childhood vaccinations again, "
    "usually starting six to twelve months after treatment; your team will tell you when.",
    "## Longer-term follow-up",
    "After the first three months, check-ups become less frequent: usually every few months "
    "for the first two years, then once a year. Because CAR T-cell therapy is a newer "
    "treatment, you will be asked to take part in long-term follow-up for up to fifteen "
    "years, so that doctors can learn more about its late effects.",
    "## Looking after your wellbeing",
    "It is common to feel anxious, low or exhausted after treatment, even when it has gone "
    "well. Talking to others who have been through CAR T-cell therapy can help. Ask your "
    "clinical nurse specialist about local support groups or counselling services.",
)

SIDE_EFFECTS_TITLE = "Side effects of CAR-T cell therapy | Example Hospital"
SIDE_EFFECTS = (
    "Like all cancer treatments, CAR T-cell therapy can cause side effects. Most happen in "
    "the first two weeks after the infusion, while you are in hospital or staying close by, "
    "and your team is trained to spot and treat them quickly. Knowing the warning signs helps "
    "you and your carer tell the team early.",
    "## Cytokine release syndrome",
    "Cytokine release syndrome (CRS) is the most common side effect. It happens when the CAR "
    "T-cells multiply and release chemicals called cytokines into the blood. It usually "
    "starts with a high temperature and flu-like symptoms, and can cause low blood pressure, "
    "a fast heartbeat and difficulty breathing. Mild CRS is treated with paracetamol and "
    "fluids. More severe CRS is treated with a drug called tocilizumab, sometimes with "
    "steroids, and a small number of people need care in an intensive care unit.",
    "## Effects on the nervous system",
    "Some people develop immune effector cell-associated neurotoxicity syndrome (ICANS). "
    "Signs include confusion, difficulty finding words, trouble writing, shaking, drowsiness "
    "and, rarely, seizures. Your nurses will ask you simple questions and to write a sentence "
    "several times a day to check for early changes. ICANS is usually temporary and is "
    "treated with steroids.",
    "## Low blood counts and infections",
    "Your blood counts may stay low for weeks or months after treatment. This increases the "
    "risk of infection, bleeding and tiredness. You may need blood or platelet transfusions, "
    "and medicines to prevent infections. Tell your team straight away if you have a "
    "temperature, unusual bruising or bleeding.",
    "## Other side effects",
    "Many people feel very tired for several weeks after treatment, and some have nausea, "
    "a poor appetite, headaches or diarrhoea. These effects usually settle on their own. "
    "Your antibody levels may also stay low for a long time, because CAR T-cells can destroy "
    "healthy B cells as well as cancer cells.",
    "## When to get help",
    "Call the 24-hour treatment line at once if you have a temperature of 38\u00b0C or "
    "higher, feel shivery, dizzy or confused, or if your carer notices changes in your speech "
    "or behaviour. Do not wait until your next appointment.",
)

PARKING = (
    "## Parking",
    "Car parking at the main hospital site is available in the multi-storey car park on "
    "Station Road, which is open 24 hours a day. Spaces are limited between 10am and 2pm, so "
    "please allow extra time to find a space. Blue Badge holders can park free of charge in "
    "the marked bays near the main entrance.",
    "Parking charges are payable at the machines on each level or by phone. Patients "
    "attending regular appointments, and relatives of patients who are very unwell, may be "
    "eligible for a discounted weekly permit from the main reception.",
    "## Visiting hours",
    "Visiting hours on adult wards are from 11am to 8pm every day. Each patient may have two "
    "visitors at a time. Children under 12 may visit with an adult, at the discretion of the "
    "nurse in charge. Please do not visit if you have had diarrhoea, vomiting or flu-like "
    "symptoms in the last 48 hours.",
    "## Food and drink",
    "The hospital restaurant on the ground floor is open from 7.30am to 7pm on weekdays and "
    "from 9am to 3pm at weekends. Vending machines are available 24 hours a day outside the "
    "emergency department.",
)

WEBINAR_TITLE = "Doctor and patients' perspective on myeloma CAR-T"
WEBINAR_ABOUT = (
    "In this webinar, a haematologist and two people who received CAR-T cell therapy for "
    "myeloma talk about eligibility, travelling to a treatment centre, the side effects of "
    "the first weeks and life after treatment, and answer questions from the audience. "
    "Duration: 58 minutes. Subtitles are available in English, French and German.",
)

CLEARED_TITLE = "CAR-T after the challenge"
CLEARED = (
    "Once you are home after CAR T-cell therapy, your treatment centre stays your first point "
    "of contact. Keep the 24-hour number your team gave you by the phone and in your bag, and "
    "call it rather than your GP if you feel unwell in the first months.",
    "## Signs to report straight away",
    "Call at once if you have a temperature of 38\u00b0C or higher, shivering, a cough or "
    "shortness of breath, or if you or your carer notice confusion, difficulty finding words, "
    "shaking or unusual sleepiness. These can be signs of infection or of late effects of the "
    "treatment, and they are easier to treat when they are caught early.",
    "## Your follow-up appointments",
    "You will have regular blood tests to check your blood counts and immune system. Bring a "
    "list of your medicines and any questions to each visit. It can help to write down how "
    "you have been feeling between appointments, including your energy levels and appetite.",
)

AFTERCARE_HEADING = "CAR-T aftercare"
AFTERCARE = (
    "Looking after yourself after CAR T-cell therapy is a team effort between you, your "
    "carer and your treatment centre. This page brings together the practical advice people "
    "most often ask for in the weeks after they leave hospital.",
    "## Staying close to the hospital",
    "For at least four weeks after your infusion you will need to stay within an hour of your "
    "treatment centre, with a carer who can be with you day and night. Your team will tell "
    "you when it is safe to travel further.",
    "## Preventing infections",
    "Wash your hands often, avoid crowded places while your blood counts are low and keep "
    "away from people with coughs, colds or stomach bugs. Take the antiviral and antibiotic "
    "medicines you were given exactly as prescribed, even if you feel well.",
    "## Eating and resting",
    "Tiredness is very common and can last for months. Eat little and often if your appetite "
    "is poor, drink plenty of fluids and plan rest into each day.",
)

BEACON_TITLE = "Questions to ask before CAR-T"
BEACON = (
    "Before you agree to CAR T-cell therapy it is worth writing down your questions and "
    "taking them to your appointment. You might ask how likely the treatment is to work for "
    "your type of cancer, what the main side effects are and how they are treated, how long "
    "you will need to stay in or near hospital, and whether you will need a carer with you.",
    "It is also fine to ask about practical matters: who to call out of hours, whether help "
    "is available with travel and accommodation costs, and when you can expect to return to "
    "work or driving. Bring someone with you to take notes if you can.",
)
