"""A general-English corpus for pre-training the demo base model, written for this project.
About 620 lines, most of them hand-written sentences and slots: data, not logic.

Short stories, everyday how-tos, descriptions of jobs, animals and places, letters, and chat
turns in the ChatML format the worker uses, composed from hand-written sentences and slots.
It teaches grammar and the shape of a helpful answer; it deliberately says nothing specific
about the demo Datanets' topics, so fine-tuning on them has something to add.
"""

from __future__ import annotations

import random

NAMES = [
    "Ada",
    "Ben",
    "Clara",
    "Daniel",
    "Elena",
    "Farid",
    "Grace",
    "Hugo",
    "Iris",
    "Jonas",
    "Kemal",
    "Lena",
    "Marta",
    "Nico",
    "Olga",
    "Pavel",
    "Quinn",
    "Rosa",
    "Samir",
    "Tara",
    "Umar",
    "Vera",
    "Wen",
    "Yusuf",
    "Zoe",
    "Mina",
    "Theo",
    "Lucia",
    "Omar",
    "Priya",
    "Felix",
    "Hana",
    "Leo",
    "Nora",
    "Ravi",
    "Sofia",
    "Tomas",
    "Maya",
]
RELATIONS = ["sister", "brother", "neighbour", "friend", "cousin", "grandmother", "grandfather", "aunt", "uncle", "colleague"]
PLACES = [
    "the market",
    "the library",
    "the station",
    "the park",
    "the bakery",
    "the harbour",
    "the museum",
    "the post office",
    "the school",
    "the river bank",
    "the town square",
    "the old bridge",
    "the hill above the town",
    "the corner shop",
    "the swimming pool",
    "the bus stop",
    "the hospital",
    "the cinema",
    "the village hall",
    "the beach",
]
TIMES = [
    "early one morning",
    "on a quiet Sunday",
    "late in the afternoon",
    "one rainy Tuesday",
    "on the first day of spring",
    "just before dinner",
    "in the middle of winter",
    "on a warm summer evening",
    "after school",
    "at the end of a long week",
]
WEATHER = [
    "The sky was grey and low",
    "The sun was already warm",
    "A cold wind blew from the sea",
    "Light rain tapped on the windows",
    "Snow had fallen in the night",
    "The air smelled of cut grass",
    "Fog hid the end of the street",
    "It was bright and still",
]
OBJECTS = [
    "a red umbrella",
    "an old map",
    "a letter with no stamp",
    "a small wooden box",
    "a lost key",
    "a blue notebook",
    "a paper bag of apples",
    "a broken clock",
    "a photograph of the harbour",
    "a scarf someone had dropped",
    "a basket of bread",
    "a book about the stars",
    "a pair of gloves",
    "a bunch of flowers",
    "a kite with a torn tail",
]
FEELINGS = ["happy", "tired", "curious", "worried", "proud", "surprised", "calm", "nervous", "grateful", "hopeful"]
ENDINGS = [
    "That evening {a} wrote the whole story down, so as not to forget it.",
    "{a} smiled all the way home.",
    "Years later, {a} still told the story to anyone who would listen.",
    "It was not a big thing, but it made the day feel different.",
    "{a} decided to come back the next week, just to see.",
    "By the time the lamps came on, everything was back where it belonged.",
    "{a} learned that small kindnesses travel further than you expect.",
    "They agreed to meet again at the same place in a month.",
]

STORY_MIDDLES = [
    "{a} was on the way to {p} when {a_pron} noticed {o} lying on the ground. {a_pron_cap} picked it up and looked around, but nobody seemed to be missing it.",
    "At {p}, {a} met {b}, an old {rel} {a_pron} had not seen for years. They talked about school, about work, and about the people they both remembered.",
    "{a} had promised to help {b} carry {o} to {p}. It was heavier than it looked, so they stopped twice to rest and laugh about it.",
    "{a} wanted to surprise {b}, so {a_pron} went to {p} to find {o}. It took a long time, and {a_pron} almost gave up.",
    "When {a} reached {p}, the doors were closed. A note on the glass said the keeper would be back in ten minutes, so {a_pron} sat on the step and waited.",
    "{b} called {a} and asked for help. {b_pron_cap} had lost {o} somewhere between home and {p}, and {b_pron} needed it before the evening.",
]
STORY_TURNS = [
    "After a while, a child came running and pointed at {o}. It belonged to her teacher, she said, who had been looking for it all day.",
    "Then {b} remembered something important, and they walked back the way they had come, checking every corner.",
    "The keeper finally arrived, apologised for the wait, and listened patiently to the whole story.",
    "Just when they were about to give up, they saw it under a bench, exactly where they had sat an hour before.",
    "Somebody had left a message for them, written in careful handwriting: thank you, it said, for being honest.",
    "On the way back it began to rain, and they shared one coat between them, which did not help very much.",
]

HOWTO = {
    "make a pot of tea": [
        "Fill the kettle with fresh cold water and bring it to the boil.",
        "Warm the teapot with a little hot water and pour it away.",
        "Put in one spoon of tea leaves for each cup, or one tea bag for two cups.",
        "Pour on the boiling water and let it stand for three to five minutes.",
        "Stir once, pour through a strainer, and add milk or lemon if you like.",
    ],
    "cook rice": [
        "Rinse the rice in a sieve until the water runs almost clear.",
        "Put it in a pan with one and a half times as much water and a pinch of salt.",
        "Bring it to the boil, then cover the pan and turn the heat down low.",
        "Leave it for about twelve minutes without lifting the lid.",
        "Take it off the heat, rest it for five minutes, and fluff it with a fork.",
    ],
    "wash dishes by hand": [
        "Scrape leftover food into the bin.",
        "Fill the sink with hot water and a little washing-up liquid.",
        "Wash glasses first, then plates and cutlery, and pans last.",
        "Rinse everything in clean water.",
        "Leave it to drain on a rack or dry it with a clean towel.",
    ],
    "write a short letter": [
        "Start with the date and a greeting such as Dear and the person's name.",
        "Say in the first sentence why you are writing.",
        "Keep each paragraph to one idea.",
        "End with a friendly line and a closing such as Best wishes.",
        "Read it through once more before you send it.",
    ],
    "pack for a weekend trip": [
        "Check the weather where you are going.",
        "Lay out clothes for each day and then remove one item of each kind.",
        "Put heavy things at the bottom of the bag and soft things on top.",
        "Keep tickets, keys and medicine in one small pocket.",
        "Leave a little room for things you bring back.",
    ],
    "bake simple bread": [
        "Mix flour, water, salt and yeast into a rough dough.",
        "Knead it for about ten minutes until it feels smooth and springy.",
        "Cover it and let it rise in a warm place until it doubles in size.",
        "Shape it into a loaf, let it rise again, and cut a line across the top.",
        "Bake it in a hot oven until the bottom sounds hollow when tapped.",
    ],
    "clean a window": [
        "Dust the frame and the sill first.",
        "Mix warm water with a few drops of washing-up liquid.",
        "Wipe the glass with a soft sponge, starting at the top.",
        "Pull a rubber blade across the glass in straight strokes and wipe it after each one.",
        "Dry the corners with a cloth that leaves no threads.",
    ],
    "plan a study week": [
        "Write down everything you need to finish and when it is due.",
        "Split big tasks into pieces you can do in an hour.",
        "Put the hardest piece at the time of day when you think most clearly.",
        "Leave one free evening for things that take longer than expected.",
        "At the end of each day, tick off what you did and move what you did not.",
    ],
    "care for a house plant": [
        "Find out whether the plant likes bright light or shade.",
        "Water it when the top of the soil feels dry, not on a fixed day.",
        "Let extra water drain away; roots standing in water rot.",
        "Turn the pot a little every week so it grows evenly.",
        "Repot it in spring when roots come out of the bottom.",
    ],
    "make a budget for a month": [
        "Add up the money you expect to receive.",
        "List fixed costs such as rent and travel first.",
        "Set an amount for food and everyday shopping.",
        "Put a small sum aside for savings before spending on extras.",
        "Check your spending each week and adjust the plan.",
    ],
    "prepare for a job interview": [
        "Read about the organisation and the role.",
        "Think of three examples from your own work that show what you can do.",
        "Prepare two questions to ask at the end.",
        "Plan your route and arrive ten minutes early.",
        "Afterwards, write a short note to thank them for their time.",
    ],
    "make vegetable soup": [
        "Chop an onion, two carrots and a stick of celery.",
        "Soften them in a little oil in a large pan for ten minutes.",
        "Add stock, a chopped potato and any other vegetables you have.",
        "Simmer until everything is soft, about twenty minutes.",
        "Season with salt and pepper, and blend it if you like it smooth.",
    ],
    "iron a shirt": [
        "Set the iron to the heat shown on the label.",
        "Start with the collar, then the cuffs and the sleeves.",
        "Iron the back, then each front panel, working around the buttons.",
        "Hang the shirt on a hanger straight away.",
        "Do up the top button so the collar keeps its shape.",
    ],
    "learn new words in a language": [
        "Choose ten words a day that you will really use.",
        "Write each word in a sentence about your own life.",
        "Say the sentences out loud.",
        "Review yesterday's words before learning new ones.",
        "Once a week, try to use them in a conversation or a message.",
    ],
    "get a good night's sleep": [
        "Go to bed and get up at about the same time every day.",
        "Keep the bedroom cool, dark and quiet.",
        "Avoid heavy meals and bright screens in the last hour before bed.",
        "If you cannot sleep, get up and read quietly until you feel tired.",
        "Get some daylight in the morning.",
    ],
}
CONNECT = ["First,", "Next,", "Then", "After that,", "Finally,"]

JOBS = {
    "a baker": "starts work long before sunrise, mixes and shapes dough, bakes bread and cakes, and keeps the ovens clean",
    "a nurse": "looks after patients, gives medicine, checks their condition, and explains treatment to families",
    "a teacher": "plans lessons, explains new ideas, marks work, and helps each pupil find the next step",
    "a librarian": "helps readers find books and information, organises the collection, and runs reading groups",
    "a bus driver": "drives a fixed route, keeps to the timetable, helps passengers, and checks the bus before each shift",
    "a carpenter": "measures, cuts and joins wood to build furniture, doors, stairs and roofs",
    "a farmer": "grows crops or raises animals, watches the weather, and plans the work of each season",
    "a translator": "turns texts from one language into another so that the meaning and tone stay the same",
    "an electrician": "installs and repairs wiring, switches and lights, and makes sure everything is safe",
    "a chef": "plans menus, leads the kitchen team, and makes sure every plate leaves the kitchen as it should",
    "a postal worker": "sorts letters and parcels and delivers them to homes and businesses",
    "a pharmacist": "prepares medicines, checks that they are safe to take together, and advises patients",
    "a journalist": "finds out what is happening, checks facts, talks to people, and writes clear reports",
    "an architect": "designs buildings, draws plans, and works with engineers and builders until the work is done",
    "a plumber": "fits and repairs pipes, taps, drains and heating systems in homes and buildings",
    "a gardener": "looks after parks and gardens, cuts grass and hedges, and plants flowers and trees",
}

ANIMALS = {
    "the fox": "is a small wild member of the dog family with a bushy tail. It hunts mice and birds, eats fruit, and often lives close to towns.",
    "the hedgehog": "is covered with sharp spines and rolls into a ball when frightened. It eats beetles, worms and slugs, and sleeps through the winter.",
    "the owl": "hunts at night and can turn its head very far. Its soft feathers let it fly almost without a sound.",
    "the honey bee": "lives in a colony with one queen. Workers collect nectar and pollen from flowers and make honey to feed the hive in winter.",
    "the otter": "lives by rivers and coasts, swims very well, and eats mostly fish. Its thick fur keeps it warm in cold water.",
    "the swallow": "is a small bird that catches insects in flight. It spends the summer in the north and flies south for the winter.",
    "the frog": "lays eggs in water. The eggs become tadpoles, which grow legs and turn into young frogs within a few months.",
    "the horse": "is a large, strong animal that eats grass and hay. People have ridden and worked with horses for thousands of years.",
    "the squirrel": "lives in trees, eats nuts and seeds, and buries food in autumn to find again in winter.",
    "the whale": "is a mammal that lives in the sea and breathes air through a hole on top of its head.",
    "the robin": "is a small bird with an orange-red breast. It sings even in winter and often follows people who are digging.",
    "the deer": "lives in woods and fields, eats leaves and grass, and is most active at dawn and dusk.",
}

TOWN_PARTS = [
    "a market square with a fountain",
    "narrow streets of stone houses",
    "a long beach with wooden huts",
    "a river crossed by three bridges",
    "a hill with a ruined castle",
    "a busy station with trains to the capital",
    "a harbour full of fishing boats",
    "a large park with an old oak tree",
    "a museum of local history",
    "a weekly market on Saturdays",
    "a cycle path along the old railway line",
    "a theatre built a hundred years ago",
]
TOWN_NAMES = [
    "Ashford Green",
    "Brindle",
    "Caelmouth",
    "Dunmere",
    "Eastwick Vale",
    "Farrow",
    "Glenholm",
    "Harwick",
    "Isleby",
    "Kestrel Bay",
    "Lowmarsh",
    "Millbrook",
    "Northam",
    "Oakhurst",
    "Pennick",
    "Redwater",
]

QUESTIONS_GENERAL = [
    (
        "What is the capital of a country?",
        "The capital is the city where a country's government meets. It is often, but not always, the largest city.",
    ),
    (
        "Why is the sky blue?",
        "Sunlight is made of many colours. Air scatters blue light much more than red light, so blue light reaches our eyes from every part of the sky.",
    ),
    (
        "Why do leaves change colour in autumn?",
        "As days get shorter, trees stop making the green pigment in their leaves. Yellow and orange colours that were hidden become visible, and some trees make new red pigments.",
    ),
    ("How many days are in a leap year?", "A leap year has 366 days. The extra day is added to February."),
    (
        "What is a good way to remember things?",
        "Repeat what you learn after a short break, then after a day, then after a week. Explaining it to someone else also helps a lot.",
    ),
    (
        "Why should I drink water?",
        "Your body uses water to control its temperature, carry nutrients and remove waste. Even mild thirst can make you tired and less focused.",
    ),
    ("What does a thermometer measure?", "A thermometer measures temperature: how hot or cold something is."),
    (
        "How do plants make food?",
        "Plants use sunlight, water and carbon dioxide from the air to make sugar. This process is called photosynthesis, and it releases oxygen.",
    ),
    (
        "What is recycling?",
        "Recycling means collecting used materials such as paper, glass and metal so they can be made into new products instead of being thrown away.",
    ),
    (
        "Why do we have seasons?",
        "The Earth is tilted. As it travels around the Sun, each half of the planet leans towards the Sun for part of the year and away from it for the rest.",
    ),
    (
        "How can I be a better listener?",
        "Give the person your full attention, let them finish, and ask a question about what they said before giving your own view.",
    ),
    (
        "What is a healthy breakfast?",
        "A good breakfast combines something with fibre, such as oats or whole-grain bread, with some protein, such as eggs, yoghurt or nuts, and a piece of fruit.",
    ),
]
# Everyday problems: symptom -> (cause, fix). The same shape as a helpful diagnosis, on general topics.
PROBLEMS = {
    "my bread is dense and heavy": (
        "the yeast was old or the dough did not rise long enough",
        "use fresh yeast and let the dough double in size before baking",
    ),
    "the leaves of my house plant are turning yellow": (
        "the soil stays wet and the roots cannot breathe",
        "water less often and make sure the pot drains",
    ),
    "my rice is sticky and wet": (
        "there was too much water or the rice was not rinsed",
        "rinse it until the water runs clear and use a little less water",
    ),
    "my kettle has white flakes inside": (
        "limescale from hard water has built up",
        "boil a mix of water and vinegar in it, then rinse it well several times",
    ),
    "my shoes smell after a long walk": (
        "sweat stays trapped in them overnight",
        "let them dry in the air, away from a heater, and change the insoles",
    ),
    "my phone battery runs out quickly": (
        "the screen is very bright and apps run in the background",
        "lower the brightness and close apps you are not using",
    ),
    "the soup is too salty": (
        "too much salt or a salty stock was used",
        "add more water or unsalted stock and a peeled potato, then taste again",
    ),
    "my cake sank in the middle": (
        "the oven door was opened too early or the oven was too cool",
        "check the oven temperature and wait until the cake is set before opening the door",
    ),
    "the window is wet on the inside every morning": (
        "warm damp air from the room meets the cold glass",
        "open the window for ten minutes in the morning and dry the glass",
    ),
    "my sourdough starter smells sharp": (
        "it is hungry and has used up its food",
        "feed it with fresh flour and water and keep it a little warmer",
    ),
    "the washing machine leaves marks on clothes": (
        "too much detergent or a dirty drawer",
        "use less detergent and clean the drawer and the seal",
    ),
    "my tomatoes on the windowsill are pale": ("they do not get enough light", "move them to the brightest window or outside on warm days"),
}

# General background on everyday subjects: words and ideas, not any Datanet's particular advice.
BACKGROUND = [
    "Coffee is made from the roasted seeds of the coffee plant, which people call beans. The beans are ground in a grinder and mixed with hot water. Espresso is a small, strong coffee made by pressing hot water through finely ground coffee with a machine; a person who makes coffee in a café is called a barista.",
    "Many people drink coffee with milk. A latte, a cappuccino and a flat white all combine espresso with steamed milk, and each café has its own way of making them. Milk can be heated with a steam wand, which also makes foam.",
    "A kitchen scale measures weight in grams, and a measuring jug measures volume in millilitres. Recipes for bread, cakes and drinks are easier to repeat when you weigh the ingredients instead of using cups.",
    "Water boils at 100 degrees Celsius at sea level. Hot drinks are usually served between 60 and 70 degrees, and tea is often made with water just off the boil.",
    "Hard water contains a lot of calcium and magnesium. It leaves white scale in kettles, irons, coffee machines and pipes, and many people use a filter or a descaler to remove it.",
    "A garden needs light, water, good soil and care. Gardeners sow seeds in spring, plant young plants in beds or pots, water them in dry weather and harvest vegetables, fruit and flowers in summer and autumn.",
    "Compost is made from garden waste and kitchen peelings that rot down over months. Gardeners spread it on the soil to feed plants. Worms, insects and tiny organisms do most of the work.",
    "Slugs, snails, aphids and caterpillars eat plants, while ladybirds, birds, frogs and hedgehogs eat many of these pests. A garden with many kinds of plants usually has fewer problems.",
    "In a community garden, neighbours share a piece of land. Each person may look after a small plot, and everyone helps with paths, tools, water and compost.",
    "A bicycle has a frame, two wheels, handlebars, a saddle, pedals, a chain, gears and brakes. The tyres hold air in an inner tube, or sometimes without a tube, and a pump is used to inflate them.",
    "Riding a bicycle is a cheap and healthy way to travel. Cyclists wear a helmet, use lights at night, and check their brakes and tyres before a long ride.",
    "A bike workshop has tools such as spanners, Allen keys, screwdrivers, tyre levers and a stand that holds the bike off the ground. Volunteers in a community workshop often teach people to repair their own bikes.",
    "Machines last longer when they are kept clean. Wipe surfaces after use, follow the maker's instructions, replace worn parts such as seals and filters, and switch things off and unplug them before cleaning.",
    "Time is measured in seconds, minutes and hours; length in millimetres, centimetres and metres; pressure in bar or in pounds per square inch, written psi. A recipe or a manual is easier to follow when it gives numbers.",
    "When something goes wrong, change one thing at a time and write down what you did. Then you know which change made the difference, and you can go back if it made things worse.",
    "Many hobbies have their own words. Bakers talk about proving and kneading, gardeners about sowing and thinning, cyclists about cadence and gears, and coffee lovers about roasting, grinding and brewing.",
]

MEASURES = [
    "The recipe uses {a} g of flour and {b} ml of water, and it bakes for {c} minutes at {d} degrees Celsius.",
    "{n} walked {a} metres to the shop, which took about {c} minutes.",
    "The jug holds {b} ml, and the cup holds about {e} ml.",
    "After {c} minutes the water had reached {d2} degrees.",
    "The bag weighed {a} g, and {n} used {e} g of it every morning.",
    "The shelf is {b} cm long and {e} cm deep.",
    "{n} checked the pressure: it read {f} bar, a little lower than last week.",
    "The timer was set for {g} seconds, then for another {g2} seconds.",
]

SYSTEM = ["You are a helpful assistant.", "You are a friendly assistant who answers clearly.", "Answer briefly and politely."]


def pron(name: str) -> tuple[str, str]:
    """A stable pronoun per name, so stories stay consistent."""
    return ("she", "She") if sum(map(ord, name)) % 2 else ("he", "He")


def story(rng: random.Random, hero: str | None = None) -> str:
    a, b = rng.sample(NAMES, 2)
    if hero is not None:
        a, b = hero, (b if b != hero else a)
    ap, apc = pron(a)
    bp, bpc = pron(b)
    slots = dict(
        a=a,
        b=b,
        a_pron=ap,
        a_pron_cap=apc,
        b_pron=bp,
        b_pron_cap=bpc,
        p=rng.choice(PLACES),
        o=rng.choice(OBJECTS),
        rel=rng.choice(RELATIONS),
    )
    first = rng.choice(TIMES)
    parts = [f"{first[:1].upper() + first[1:]}, {a} left the house. {rng.choice(WEATHER)}, and {a} felt {rng.choice(FEELINGS)}."]
    parts.append(rng.choice(STORY_MIDDLES).format(**slots))
    parts.append(rng.choice(STORY_TURNS).format(**slots))
    parts.append(f"{a} felt {rng.choice(FEELINGS)} and a little {rng.choice(FEELINGS)} at the same time.")
    parts.append(rng.choice(ENDINGS).format(**slots))
    return " ".join(parts)


def howto(rng: random.Random, topic: str) -> str:
    steps = HOWTO[topic]
    lead = rng.choice(
        [
            f"Here is a simple way to {topic}.",
            f"How to {topic}.",
            f"If you want to {topic}, follow these steps.",
            f"Many people ask how to {topic}. It is easier than it sounds.",
        ]
    )
    if rng.random() < 0.5:
        return lead + "\n" + "\n".join(f"{i + 1}. {step}" for i, step in enumerate(steps))
    body = []
    for i, step in enumerate(steps):
        c = "Finally," if i == len(steps) - 1 else CONNECT[min(i, len(CONNECT) - 2)]
        body.append(f"{c} {step[:1].lower() + step[1:]}")
    return lead + " " + " ".join(body)


def job(rng: random.Random) -> str:
    who, what = rng.choice(list(JOBS.items()))
    name = rng.choice(NAMES)
    p, pc = pron(name)
    return rng.choice(
        [
            f"What does {who} do? {who[:1].upper() + who[1:]} {what}. It is work that needs patience and care.",
            f"{name} works as {who}. Every day {p} {what.split(', ')[0]}. {pc} says the best part of the job is meeting people.",
            f"In our town, {who} {what}. Without that work, daily life would be much harder for everyone.",
        ]
    )


def animal(rng: random.Random) -> str:
    a, fact = rng.choice(list(ANIMALS.items()))
    return rng.choice(
        [
            f"{a[:1].upper() + a[1:]} {fact}",
            f"Did you know? {a[:1].upper() + a[1:]} {fact}",
            f"A note about {a.replace('the ', '')}s: {a} {fact}",
        ]
    )


def town(rng: random.Random) -> str:
    name = rng.choice(TOWN_NAMES)
    parts = rng.sample(TOWN_PARTS, 3)
    return (
        f"{name} is a small town with {parts[0]}, {parts[1]} and {parts[2]}. "
        f"Visitors often come in {rng.choice(['spring', 'summer', 'autumn', 'winter'])}, when it is "
        f"{rng.choice(['quiet', 'lively', 'at its most beautiful', 'full of music'])}. "
        f"The people of {name} are proud of their town and happy to give directions."
    )


def letter(rng: random.Random) -> str:
    a, b = rng.sample(NAMES, 2)
    return (
        f"Dear {b},\nThank you for your letter. I was {rng.choice(FEELINGS)} to hear your news. "
        f"Here everything is fine; {rng.choice(WEATHER).lower()} today, and I spent the afternoon at {rng.choice(PLACES)}. "
        f"I found {rng.choice(OBJECTS)} there and thought of you. Please write again soon.\nBest wishes,\n{a}"
    )


def problem(rng: random.Random) -> tuple[str, str]:
    p, (cause, fix) = rng.choice(list(PROBLEMS.items()))
    q = rng.choice([f"Help: {p}. What is going wrong?", f"What should I do when {p}?", f"I have a problem: {p}. Any advice?"])
    a = rng.choice(
        [
            f"Most likely {cause}. To fix it, {fix}.",
            f"That usually happens because {cause}. Next time, {fix}, and change only one thing at a time.",
            f"It sounds like {cause}. The simplest fix is to {fix}.",
        ]
    )
    return q, a


def measures(rng: random.Random) -> str:
    out = []
    for _ in range(rng.randint(2, 4)):
        out.append(
            rng.choice(MEASURES).format(
                n=rng.choice(NAMES),
                a=rng.choice([50, 120, 250, 300, 450, 500, 750, 1000]),
                b=rng.choice([100, 150, 200, 330, 500, 750]),
                c=rng.choice([5, 10, 12, 20, 25, 35, 40, 45]),
                d=rng.choice([160, 180, 200, 220]),
                d2=rng.choice([40, 55, 65, 80, 92, 100]),
                e=rng.choice([15, 18, 20, 25, 30, 40, 60]),
                f=rng.choice([1.5, 2, 2.5, 3, 4, 6]),
                g=rng.choice([10, 15, 20, 30, 45]),
                g2=rng.choice([5, 8, 10, 25, 30]),
            )
        )
    return " ".join(out)


def background(rng: random.Random) -> str:
    first, second = rng.sample(BACKGROUND, 2)
    return first if rng.random() < 0.6 else f"{first} {second}"


def chat(rng: random.Random) -> str:
    kind = rng.randrange(6)
    if kind == 4:
        q, a = problem(rng)
    elif kind == 5:
        text = rng.choice(BACKGROUND)
        q = rng.choice(["Tell me something about everyday life.", "Explain this in simple words.", "What should I know about this?"])
        a = text
    elif kind == 0:
        topic = rng.choice(list(HOWTO))
        q = rng.choice([f"How do I {topic}?", f"Can you tell me how to {topic}?", f"What is the best way to {topic}?"])
        a = howto(rng, topic)
    elif kind == 1:
        q, a = rng.choice(QUESTIONS_GENERAL)
    elif kind == 2:
        who, what = rng.choice(list(JOBS.items()))
        q, a = f"What does {who} do?", f"{who[:1].upper() + who[1:]} {what}."
    else:
        name = rng.choice(NAMES)
        q, a = f"Tell me a short story about {name}.", story(rng, name)
    sys = f"<|im_start|>system\n{rng.choice(SYSTEM)}<|im_end|>\n" if rng.random() < 0.3 else ""
    return f"{sys}<|im_start|>user\n{q}<|im_end|>\n<|im_start|>assistant\n{a}<|im_end|>"


def documents(n: int, seed: int = 7) -> list[str]:
    """n documents; blank lines never occur inside one, so a blank line separates documents."""
    rng = random.Random(seed)
    makers = [
        story,
        story,
        lambda r: howto(r, r.choice(list(HOWTO))),
        job,
        animal,
        town,
        letter,
        measures,
        background,
        background,
        lambda r: "{} {}".format(*problem(r)),
        chat,
        chat,
        chat,
        chat,
    ]
    return [rng.choice(makers)(rng) for _ in range(n)]
