"""Words of the demo workspace: people, companies and the text of every kind of email, written here.

Only plain text with ``{placeholders}`` lives here; how a mail client wraps it in HTML is
``mailers.py``. Templates are tuples of paragraphs so that unpersonalised paragraphs are shared
between thousands of conversations instead of being copied into each.
"""

from __future__ import annotations

# --- the sending company (us) -------------------------------------------------------------------

COMPANY = "Lanternfish"
COMPANY_SITE = "lanternfish.io"
PRODUCT_PITCH = "pipeline analytics for B2B sales teams"

# (first, last, local part, domain, provider, connection type, title, phone)
SENDERS: tuple[tuple[str, str, str, str, str, str, str, str], ...] = (
    ("Maya", "Okafor", "maya.okafor", "trylanternfish.com", "google", "oauth",
     "Account Executive", "+1 (415) 555-0142"),
    ("Daniel", "Reyes", "daniel", "getlanternfish.com", "google", "oauth",
     "Head of Growth", "+1 (646) 555-0187"),
    ("Priya", "Raman", "priya.raman", "lanternfishhq.com", "microsoft", "oauth",
     "Senior SDR", "+44 20 7946 0321"),
    ("Lukas", "Becker", "lukas.becker", "trylanternfish.com", "smtp", "smtp",
     "Partnerships Lead", "+49 30 901820 44"),
    ("Sofía", "Márquez", "sofia", "lanternfish-mail.com", "microsoft", "oauth",
     "Founding AE", "+34 910 55 01 77"),
)

# --- people -----------------------------------------------------------------------------------------
# Each culture: (first names, last names). Diacritics and non-Latin scripts are deliberate: the app
# must render them, and email local parts are derived from an ASCII transliteration.

CULTURES: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = (
    (("James", "Emily", "Michael", "Sarah", "Ryan", "Olivia", "Chris", "Megan", "Tyler", "Hannah",
      "Jordan", "Lauren", "Kevin", "Ashley", "Brandon", "Rachel"),
     ("Walker", "Bennett", "Collins", "Hughes", "Foster", "Sullivan", "Parker", "Reed", "Brooks",
      "Hayes", "Morgan", "Carter", "Ellis", "Mitchell", "Turner", "Price")),
    (("José", "María", "Alejandro", "Lucía", "Javier", "Camila", "Diego", "Valentina", "Mateo",
      "Isabel", "Andrés", "Paula"),
     ("García", "Fernández", "López", "Martínez", "Sánchez", "Romero", "Navarro", "Torres", "Ruiz",
      "Ortega", "Castillo", "Vargas")),
    (("Jonas", "Lena", "Felix", "Anna", "Maximilian", "Sophie", "Tobias", "Katharina", "Florian",
      "Jana"),
     ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Wagner", "Hoffmann", "Schäfer", "Krüger",
      "Vogel")),
    (("Camille", "Julien", "Chloé", "Mathieu", "Élodie", "Antoine", "Manon", "Guillaume", "Inès"),
     ("Dubois", "Lefèvre", "Moreau", "Laurent", "Girard", "Rousseau", "Fontaine", "Mercier")),
    (("Søren", "Ingrid", "Mikkel", "Freja", "Lars", "Astrid", "Erik", "Sigrid", "Björn"),
     ("Andersen", "Nielsen", "Johansson", "Lindqvist", "Håkansson", "Berg", "Dahl", "Solberg")),
    (("Aarav", "Priyanka", "Rohan", "Ananya", "Vikram", "Sneha", "Arjun", "Kavya", "Rahul", "Deepa"),
     ("Sharma", "Iyer", "Patel", "Reddy", "Nair", "Gupta", "Menon", "Kulkarni", "Bose", "Chatterjee")),
    (("Wei", "Mei", "Jun", "Xiaoling", "Hao", "Yan", "Lei", "Ting"),
     ("Chen", "Wang", "Zhang", "Liu", "Huang", "Zhou", "Lin", "Xu")),
    (("Haruto", "Yui", "Sota", "Aoi", "Ren", "Hina", "Kenji", "Sakura"),
     ("Tanaka", "Suzuki", "Takahashi", "Watanabe", "Ito", "Yamamoto", "Nakamura", "Kobayashi")),
    (("Min-jun", "Seo-yeon", "Ji-ho", "Ha-eun", "Do-yoon", "Soo-ah"),
     ("Kim", "Lee", "Park", "Choi", "Jung", "Kang")),
    (("Chinedu", "Ngozi", "Tunde", "Amaka", "Emeka", "Folake", "Kelechi", "Zainab"),
     ("Okonkwo", "Adeyemi", "Balogun", "Eze", "Nwosu", "Okafor", "Adebayo", "Ibekwe")),
    (("Omar", "Layla", "Yusuf", "Fatima", "Karim", "Nour", "Hassan", "Rania"),
     ("Haddad", "Khalil", "Mansour", "Nasser", "Saleh", "Farouk", "Aziz", "Hamdan")),
    (("Łukasz", "Agnieszka", "Piotr", "Katarzyna", "Paweł", "Zofia", "Michał", "Małgorzata"),
     ("Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamiński", "Lewandowski", "Zieliński")),
    (("Giulia", "Marco", "Chiara", "Luca", "Francesca", "Matteo", "Elena", "Davide"),
     ("Rossi", "Bianchi", "Romano", "Colombo", "Ricci", "Marino", "Greco", "Bruno")),
    (("Sanne", "Daan", "Femke", "Joost", "Lotte", "Bram", "Eva", "Thijs"),
     ("de Vries", "van Dijk", "Bakker", "Visser", "Smit", "de Boer", "Mulder", "van den Berg")),
    (("João", "Ana", "Thiago", "Beatriz", "Rafael", "Larissa", "Gustavo", "Fernanda"),
     ("Silva", "Santos", "Oliveira", "Souza", "Costa", "Pereira", "Almeida", "Carvalho")),
    (("Emre", "Elif", "Burak", "Zeynep", "Can", "Ayşe", "Mert", "Selin"),
     ("Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Öztürk", "Aydın", "Arslan")),
    (("Minh", "Linh", "Tuan", "Huong", "Quang", "Thao"),
     ("Nguyen", "Tran", "Le", "Pham", "Hoang", "Vu")),
    (("Nikos", "Eleni", "Giorgos", "Dimitra", "Kostas", "Sofia"),
     ("Papadopoulos", "Georgiou", "Nikolaou", "Pappas", "Vlachos", "Karagiannis")),
    (("Aleksandr", "Olga", "Dmitri", "Natalia", "Ivan", "Yekaterina"),
     ("Ivanov", "Petrova", "Smirnov", "Volkova", "Kuznetsov", "Sokolova")),
    (("Liam", "Aoife", "Conor", "Siobhán", "Seán", "Niamh"),
     ("O'Brien", "Murphy", "Kelly", "O'Sullivan", "Byrne", "Ní Bhriain")),
)

# Characters NFKD does not decompose to ASCII.
TRANSLIT = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "ß": "ss", "ı": "i", "æ": "ae",
                          "đ": "d", "'": "", " ": ""})

TITLES = (
    "VP of Sales", "Head of Revenue Operations", "Founder & CEO", "Director of Demand Generation",
    "Sales Enablement Manager", "Chief Revenue Officer", "Head of Sales", "RevOps Manager",
    "Director of Sales Operations", "Co-founder", "Head of Growth", "Senior Account Executive",
    "Business Operations Lead", "CFO", "Head of Partnerships", "Salesforce Administrator",
    "Director of Customer Success", "COO", "Marketing Operations Manager", "GTM Lead",
)

CITIES = ("Austin", "Berlin", "London", "Toronto", "Madrid", "Amsterdam", "Singapore", "Lagos",
          "São Paulo", "Bangalore", "Dublin", "Warsaw", "Chicago", "Denver", "Paris", "Stockholm",
          "Tokyo", "Seoul", "Istanbul", "Melbourne", "Boston", "Lisbon", "Milan", "Dubai")

INDUSTRIES = ("logistics software", "fintech", "HR tech", "cybersecurity", "healthtech",
              "e-commerce tooling", "proptech", "martech", "dev tools", "edtech", "insurtech",
              "supply chain", "legal tech", "climate tech")

COMPANY_STEMS = (
    "Northbeam", "Kestrel", "Bluefin", "Quarry", "Halcyon", "Ironwood", "Lumen", "Meridian",
    "Pinecrest", "Saltmarsh", "Tidewater", "Vantage", "Brightpath", "Cobalt", "Driftwood",
    "Emberly", "Foxglove", "Granite", "Harbor", "Juniper", "Keystone", "Larkspur", "Monarch",
    "Nimbus", "Orchard", "Parallax", "Quill", "Redwood", "Sable", "Thistle", "Umber", "Verity",
    "Willow", "Yarrow", "Zephyr", "Alder", "Basalt", "Cinder", "Delta Nine", "Everline",
    "Fathom", "Gullwing", "Heron", "Indigo", "Jetstream", "Kiln", "Loomis", "Mosaic", "Nova",
    "Onyx", "Paloma", "Riverbend", "Sequoia", "Trellis", "Upland", "Vireo", "Waypoint", "Arbor",
    "Beacon", "Canopy", "Dune", "Ember", "Flint", "Glasshouse", "Hollow", "Isle", "Jasper",
)
COMPANY_SUFFIXES = ("", " Labs", " Health", " Freight", " Analytics", " Systems", " Logistics",
                    " AI", " Software", " Group", " Payments", " Cloud", " Robotics", " Bio",
                    " Studio", " Energy", " Security", " Data")
TLDS = (".com", ".com", ".com", ".io", ".io", ".co", ".ai", ".de", ".co.uk", ".fr", ".com.br",
        ".nl", ".es", ".in", ".sg")
# Consumer or other-provider domains some leads use (their `provider` becomes google/yahoo/...).
FREEMAIL = (("gmail.com", "google"), ("outlook.com", "microsoft"), ("yahoo.com", "yahoo"),
            ("zoho.com", "zoho"))

# --- campaigns and sequences --------------------------------------------------------------------
# name, status, inbox indices, first-send window in days ago (start, end or None = still running),
# first-touch variants [(subject, paragraphs)], follow-up steps (count), variants per follow-up.

CAMPAIGNS = (
    ("RevOps leaders – US mid-market", "active", (0, 1), (480, None),
     (("{company}'s forecast accuracy",
       ("Hi {first},",
        "Most RevOps teams I talk to at companies like {company} spend the first week of every "
        "quarter reconciling the CRM with the spreadsheet the board actually sees.",
        "Lanternfish reads your pipeline straight from the CRM and shows which deals are slipping "
        "before the forecast call, not after. Teams like yours cut forecast variance by about a "
        "third in the first two quarters.",
        "Worth a 20-minute look next week?")),
      ("quick question, {first}",
       ("Hi {first},",
        "Quick one: how does {company} decide which deals make the commit list today? Gut feel, "
        "a stage rule, or something smarter?",
        "We built Lanternfish to answer that with data from the CRM you already have. Happy to "
        "show you what it would say about your current quarter.",
        "Open to a short call?")),
      ("pipeline reviews at {company}",
       ("Hey {first} -",
        "Saw that {company} is hiring two more AEs. Congrats! That usually means pipeline reviews "
        "get longer, not shorter.",
        "Lanternfish flags the deals that need a conversation so the weekly review takes half the "
        "time. Would it be crazy to compare notes for 15 minutes?"))),
     3, 2),
    ("Series A–C founders – EMEA", "active", (2, 3), (95, None),
     (("{first}, your first sales hire's pipeline",
       ("Hi {first},",
        "Congrats on the raise. The first months after a Series A are usually when founders hand "
        "over deals and lose sight of what is actually closing.",
        "Lanternfish gives you a one-page view of the pipeline every Monday, straight from HubSpot "
        "or Salesforce, with no RevOps hire needed.",
        "Would you be open to a quick demo?")),
      ("idea for {company}",
       ("Hi {first},",
        "I had an idea for {company}'s board reporting: the pipeline slide builds itself from the "
        "CRM every week, with the changes since last month highlighted.",
        "That is what Lanternfish does for about 300 startups in Europe. Can I send over a "
        "two-minute video?"))),
     4, 1),
    ("Salesforce admins – forecast pain", "paused", (0, 3, 4), (250, 30),
     (("forecasting in Salesforce",
       ("Hi {first},",
        "If you are the person who gets the 'can you pull the forecast again' message every Friday "
        "afternoon, this might save you a few hours a week.",
        "Lanternfish sits on top of Salesforce, needs no custom objects, and gives sales leaders "
        "self-serve forecast views.",
        "Worth a look?")),
      ("{company} + Lanternfish",
       ("Hello {first},",
        "I work with Salesforce admins at companies like {company} who maintain forecast reports "
        "nobody trusts.",
        "We replace those reports with a live view that leadership actually uses. Could I show you "
        "how it maps to your org in 20 minutes?")),
      ("a faster Friday for {first}",
       ("Hi {first},",
        "Honest question: how many forecast reports does {company} maintain in Salesforce today?",
        "Most admins we meet have between 12 and 40. Lanternfish replaces them with one live "
        "view. Curious if that would help?"))),
     3, 3),
    ("Q1 webinar follow-up", "completed", (1,), (540, 420),
     (("thanks for joining the pipeline webinar",
       ("Hi {first},",
        "Thanks for registering for our session on pipeline hygiene. The recording and slides are "
        "on our site.",
        "A few attendees from teams like {company} asked how the deal-risk scoring works on their "
        "own data. Happy to run it on yours if useful.")),),
     2, 1),
    ("Agency partners – pilot", "active", (2, 0), (40, None),
     (("partnering with {company}",
       ("Hi {first},",
        "I lead partnerships at Lanternfish. Agencies like {company} that run outbound for B2B "
        "clients use us to show those clients which meetings turned into pipeline.",
        "We are starting a small partner pilot this quarter with revenue share. Interested in "
        "hearing the details?")),
      ("client reporting at {company}",
       ("Hi {first},",
        "How does {company} prove to clients that the meetings you book turn into revenue?",
        "We built a partner dashboard for exactly that, and are looking for five agencies to pilot "
        "it. Want me to save you a spot?"))),
     2, 2),
    ("Churned trials – win-back", "completed", (1, 2), (380, 200),
     (("still thinking about pipeline analytics?",
       ("Hi {first},",
        "You tried Lanternfish a while back and it did not stick. Fair enough.",
        "Since then we shipped a native HubSpot sync and a Slack digest, the two things trial "
        "users asked for most. Want me to reopen your workspace for two weeks?")),),
     2, 1),
    ("Heads of Sales – DACH", "active", (3, 2), (160, None),
     (("{company}: Forecast in Minuten statt Stunden",
       ("Hallo {first},",
        "Viele Vertriebsleiter in der DACH-Region verbringen jeden Montag Stunden mit der "
        "Pipeline-Analyse in Excel.",
        "Lanternfish erledigt das automatisch aus Ihrem CRM heraus. Hätten Sie nächste Woche 20 "
        "Minuten für eine kurze Demo?")),
      ("Kurze Frage zu {company}",
       ("Hallo {first},",
        "wie bereitet {company} derzeit den Forecast für die Geschäftsführung vor?",
        "Wir helfen Teams wie Ihrem, das ohne Tabellen zu lösen. Darf ich Ihnen ein Beispiel "
        "schicken?"))),
     3, 2),
)

FOLLOW_UPS = (
    ("Hi {first}, just floating this back to the top of your inbox. Worth a quick chat?",),
    ("Hi {first},",
     "Following up in case this got buried. If forecasting is not a priority at {company} right now, "
     "just let me know and I will stop nudging."),
    ("{first}, one more idea: I can run a free pipeline health check on {company}'s last two "
     "quarters and send you the results, no call needed. Interested?",),
    ("Hi {first},",
     "I have not heard back, so I will assume the timing is not right. Should I close your file, or "
     "check back next quarter?"),
    ("Hey {first}, did you get a chance to look at my note below?",),
    ("Hi {first},",
     "Sharing a two-minute video of how a team your size uses Lanternfish before their Monday "
     "pipeline review: {link}",
     "Happy to walk you through it live."),
    ("Last note from me, {first}. If someone else at {company} owns forecasting, a pointer to the "
     "right person would be much appreciated.",),
)

# --- the lead's first reply, by kind ------------------------------------------------------------------
# kind -> list of (paragraphs, AI label). {me} is our sender's first name.

REPLIES: dict[str, tuple[tuple[tuple[str, ...], str | None], ...]] = {
    "interested": (
        (("Hi {me},", "Timing is actually good, we are rebuilding our forecast process this quarter. "
          "Can you send a few times next week?", "Thanks,", "{first}"), "interested"),
        (("Hey {me}, sure, let's talk. Tuesday or Wednesday afternoon works best for me.",
          "{first}"), "interested"),
        (("Hi {me},", "This is relevant. Our VP keeps asking for a better view of slipped deals. "
          "Could you share a short deck first so I can forward it internally?", "Best,", "{first}"),
         "interested"),
        (("Sounds interesting. What does onboarding look like for a team of about 25 reps?",
          "- {first}"), "interested"),
        (("Hi {me}, yes please. Loop in {colleague_first} from our RevOps team too "
          "({colleague_addr}).", "Cheers,", "{first}"), "interested"),
    ),
    "pricing": (
        (("Hi {me},", "Before we set up a call: what does this cost? We are a team of roughly "
          "{seats} sellers and I need a ballpark for the budget conversation.", "{first}"),
         "needs_more_info"),
        (("Do you price per seat or per CRM user? And is there a minimum contract length?",
          "Thanks,", "{first}"), "question"),
        (("Hi {me}, we looked at two similar tools last year and both were over budget. What is "
          "your pricing for a team of {seats}, and do you offer a pilot?", "Regards,", "{first}"),
         "needs_more_info"),
    ),
    "meeting": (
        (("Hi {me},", "Happy to take a look. Does {day} at {time} work? Send an invite to this "
          "address.", "Best,", "{first}"), "meeting_requested"),
        (("Let's do it. Here's my calendar, grab any 30-minute slot next week: {calendar_link}",
          "{first}"), "meeting_requested"),
        (("Hi {me}, can we do a call on {day}? Morning is better for me, I'm in {city}.",
          "Thanks,", "{first}"), "meeting_requested"),
    ),
    "question": (
        (("Hi {me}, does this work with HubSpot or only Salesforce? We migrated last year.",
          "{first}"), "question"),
        (("Quick question before anything else: where is the data stored? We need EU hosting and a "
          "DPA for any new vendor.", "Best regards,", "{first}"), "question"),
        (("How is this different from the forecasting module we already pay for in our CRM?",
          "{first}"), "question"),
    ),
    "not_now": (
        (("Hi {me},", "Not a priority this quarter, we are in the middle of a CRM migration. "
          "Reach out again in {month}?", "Thanks,", "{first}"), "not_now"),
        (("Thanks for the note. We just signed a budget freeze until the end of the year. Feel "
          "free to check back in Q{quarter}.", "{first}"), "not_now"),
        (("Bad timing, sorry. Ping me after our board meeting next month.", "{first}"),
         "not_now"),
    ),
    "ooo": (
        (("Thank you for your email. I am out of the office until {return_date} with limited "
          "access to email. For urgent matters please contact {colleague_email}.",
          "Kind regards,", "{full}"), "out_of_office"),
        (("I'm currently on parental leave and will be back on {return_date}. Your message will "
          "not be forwarded.",), "out_of_office"),
        (("Hi, I'm travelling this week and checking email sporadically. I will get back to you as "
          "soon as I can.", "{first}"), "out_of_office"),
        (("Ich bin bis zum {return_date_de} nicht im Büro und habe keinen Zugriff auf meine E-Mails. "
          "In dringenden Fällen wenden Sie sich bitte an {colleague_email}.",
          "I am out of the office until {return_date} without access to email. For urgent "
          "matters please contact {colleague_email}."), "out_of_office"),
    ),
    "referral": (
        (("Hi {me},", "I'm not the right person for this. You should talk to {ref_full} "
          "<{ref_email}>, our {ref_title}. I've copied them here.", "Best,", "{first}"),
         "referral"),
        (("Thanks, but forecasting sits with {ref_first} ({ref_email}). Reach out to them "
          "directly.", "{first}"), "referral"),
        (("Hi {me}, I passed this on to {ref_full}, who runs sales ops. Their email is "
          "{ref_email}.", "Regards,", "{first}"), "referral"),
    ),
    "unsubscribe": (
        (("Please remove me from your mailing list.",), "unsubscribe"),
        (("unsubscribe",), "unsubscribe"),
        (("Hi, please take me off this sequence. Thanks.", "{first}"), "unsubscribe"),
        (("STOP",), "unsubscribe"),
        (("Remove me from all future emails. I never signed up for this.",), "unsubscribe"),
    ),
    "wrong_person": (
        (("Hi, I think you have the wrong {first}. I work in finance, not sales.",), "wrong_person"),
        (("Wrong person, I'm an engineer. Good luck though.", "{first}"), "wrong_person"),
        (("I don't handle anything related to sales tooling, sorry.",), "wrong_person"),
    ),
    "left_company": (
        (("Thank you for your message. {full} is no longer with {company}. Please direct "
          "your enquiry to {colleague_email}.",), "left_company"),
        (("Hi {me}, I left {company} in {month}. I'm now at a different company. Best of luck.",
          "{first}"), "left_company"),
        (("This mailbox is no longer monitored. {first} has left {company}. For sales enquiries "
          "contact {colleague_email}.",), "left_company"),
    ),
    "not_interested": (
        (("Not interested, thanks.",), "not_interested"),
        (("We're happy with our current setup. Please don't follow up.", "{first}"),
         "not_interested"),
        (("This is the fourth email in two weeks. How did you even get my address? Not interested, "
          "and I will mark the next one as spam.",), "not_interested"),
        (("Hi {me}, appreciate the persistence but we built this in-house last year. Pass.",
          "{first}"), "not_interested"),
    ),
    "manual": (
        (("Hi {me}, a colleague sent me your way. We are evaluating pipeline tools and would like "
          "a demo for our sales leadership.", "Thanks,", "{first}"), "interested"),
        (("Hello, I saw your talk at the RevOps meetup. Could you send the slides?", "{first}"),
         "neutral"),
    ),
}

# Our answers and their answers once a conversation is going: a thread alternates these, in order,
# starting at a random point. Each: (ours, theirs).
TURNS = (
    (("Hi {first},", "Great to hear. Here is my calendar, pick whatever suits you: {calendar_link}",
      "Talk soon,"),
     ("Booked Thursday at {time}. Please keep it to 30 minutes.",)),
    (("Thanks {first}! Attached is the two-page overview. The second page covers the HubSpot sync "
      "you asked about.",),
     ("Got it, thanks. I'll share it with my team and come back to you.",)),
    (("Hi {first},", "Pricing starts at $45 per seller per month billed annually, with a 30-day "
      "pilot for teams over 20. For {seats} sellers that lands around ${price} a year.",
      "Happy to send a formal quote."),
     ("That's within range. Can you send the quote and the security questionnaire answers?",)),
    (("Hi {first}, security pack attached: SOC 2 Type II report, DPA and the completed "
      "questionnaire. Data is hosted in Frankfurt for EU customers.",),
     ("Thanks. Our IT team will review, probably takes a week or two.",)),
    (("Hi {first},", "Just checking whether IT had a chance to look at the security pack. Anything I "
      "can clarify?"),
     ("Approved on our side. Legal has a couple of edits to the MSA, see attached.",)),
    (("Thanks! Our legal team accepted the edits. Updated order form attached for signature.",),
     ("Signed copy attached. Who will run our onboarding?",)),
    (("Welcome aboard, {first}! {onboarding_name} will run your onboarding and will reach out "
      "today to schedule the kickoff.",),
     ("Perfect. Can we do the kickoff on {day}? Three people from our side will join.",)),
    (("{day} works. Calendar invite attached. We will need read access to your CRM before the "
      "session.",),
     ("Access granted to the integration user. See you then.",)),
    (("Hi {first}, here's the recording of today's session and the screenshots of the dashboard "
      "setup we discussed.",),
     ("Thanks, super helpful. One question: can we export the weekly digest as CSV?",)),
    (("Yes: Settings, then Exports, then Weekly digest. Sample export attached.",),
     ("Perfect, that's what we needed.",)),
    (("Hi {first}, quick check-in two weeks after go-live. How is the team finding it?",),
     ("Mostly good. Two reps say the deal-risk score is confusing. Can we get a short training?",)),
    (("Of course. How about a 20-minute session on {day}? I'll bring examples from your own "
      "pipeline.",),
     ("Works for me. I'll forward the invite to the reps.",)),
)

# What a reply from our side looks like when we answer a not-now / question / referral.
FOLLOW_ON = {
    "not_now": (("Totally understood, {first}. I'll check back in {month}. Good luck with the "
                 "migration!",),),
    "question": (("Hi {first},", "Good question. Yes, we support both, and the HubSpot sync takes "
                  "about ten minutes to set up. EU customers are hosted in Frankfurt and we sign "
                  "a DPA as standard.", "Would a short demo help?"),),
    "referral": (("Thanks {first}, much appreciated! I'll reach out to {ref_first} directly.",),),
    "pricing": (("Hi {first},", "Pricing starts at $45 per seller per month, billed annually. For "
                 "{seats} sellers that is about ${price} a year, and we offer a 30-day pilot.",
                 "Want me to send a quote?"),),
    "unsubscribe": (("Done, {first}. You won't hear from us again. Sorry for the noise.",),),
    "wrong_person": (("Apologies for that, {first}! Would you mind pointing me to whoever owns "
                      "sales tooling?",),),
    "not_interested": (("Understood, thanks for letting me know. I've removed you from the "
                        "sequence.",),),
}

WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday")
TIMES = ("9:30", "10am", "11:00", "1pm", "2:30pm", "3pm", "4pm", "16:00")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
WEEKDAYS_DE = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag")
MONTHS_DE = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
             "Oktober", "November", "Dezember")

# --- the Others folder: mail that is not part of a campaign ------------------------------------------
# (sender name, address, subject, kind, body paragraphs)

NEWSLETTERS = (
    ("The Pipeline Weekly", "digest@pipelineweekly.news", "This week: 5 forecasting mistakes",
     ("Forecasting mistakes we keep seeing", "Why 'commit' means something different to every rep, "
      "and how three teams fixed it.", "The hidden cost of stale close dates",
      "Close dates that never move are a signal. We looked at 2,000 deals to see what happens "
      "next.", "Event: RevOps roundtable, online, next Thursday")),
    ("Outbound Almanac", "hello@outboundalmanac.com", "Deliverability in 2026: what changed",
     ("Deliverability check-up", "Mailbox providers tightened bulk sender rules again. Here is the "
      "short version.", "Warm-up is not a strategy",
      "Healthy domains come from relevant emails sent to people who expect them.",
      "Reader question: how many inboxes per domain?")),
    ("SaaS Metrics Letter", "news@saasmetricsletter.com", "Net revenue retention, explained",
     ("NRR without the jargon", "A plain-language walkthrough with a worked example.",
      "Benchmarks by stage", "Seed, Series A and growth-stage medians from 400 companies.",
      "Podcast: a CFO on board decks")),
)
RECEIPTS = (
    ("Mailforge Billing", "billing@mailforge.app", "Your receipt from Mailforge #{number}",
     "Mailforge Pro, 5 inboxes", 149.00),
    ("Domainly", "receipts@domainly.net", "Order confirmation: {domain} renewed",
     "Domain renewal, 1 year", 14.99),
    ("Calendo", "no-reply@calendo.app", "Payment received, thank you",
     "Calendo Teams, monthly", 36.00),
)
NOTICES = (
    ("Google Workspace", "workspace-noreply@google.example", "Security alert: new sign-in to your "
     "account", ("A new sign-in to your account was detected from Chrome on macOS.",
                 "If this was you, you don't need to do anything. If not, review your account "
                 "activity.")),
    ("Domainly", "alerts@domainly.net", "{domain} expires in 30 days",
     ("Your domain {domain} is set to expire in 30 days.",
      "Auto-renew is off. Renew now to avoid losing the domain.")),
    ("DMARC Reports", "noreply-dmarc@reports.example.net", "Report domain: {domain} Submitter: "
     "mail.example.net", ("This is an aggregate DMARC report for {domain}.",
                          "The report is attached as a compressed XML file.")),
    ("Lanternfish CRM sync", "alerts@lanternfish.io", "Sync paused: Salesforce token expired",
     ("The Salesforce connection for the workspace stopped syncing at {time} UTC.",
      "Reconnect it under Settings, then Integrations.")),
)
PITCHES = (
    ("Quick question about {our_company}'s outbound",
     ("Hi {me},", "I noticed {our_company} is running cold outreach to RevOps leaders. We help "
      "teams like yours book 30% more meetings with AI-personalised first lines.",
      "Open to a 15-minute call this week?", "Best,", "{full}")),
    ("Partnership?",
     ("Hey {me},", "We run a newsletter read by 40,000 sales leaders. Would {our_company} like to "
      "sponsor an issue next month? Rates attached.", "Cheers,", "{full}")),
    ("Lead lists for {our_company}",
     ("Hi {me},", "We have a verified list of 12,000 Heads of Sales in North America and Europe. "
      "Sample attached, 50 rows.", "Let me know if you want the full file.", "{full}")),
)
INVITES = (
    ("Pipeline review", 30), ("Q3 planning sync", 60), ("Intro: Lanternfish x {company}", 30),
    ("Kickoff call", 45), ("Forecast deep-dive", 45),
)

# Which kinds of reply a conversation ends with, and how often (weights add to 100).
REPLY_WEIGHTS = (
    ("interested", 14), ("pricing", 8), ("meeting", 9), ("question", 4), ("not_now", 10),
    ("ooo", 11), ("referral", 6), ("unsubscribe", 8), ("wrong_person", 5), ("left_company", 5),
    ("bounce", 7), ("not_interested", 10), ("manual", 3),
)
