"""Community garden Datanet: crops, bed planning, compost and soil, and the shared-plot rules
of an imagined neighbourhood garden (Linden Street Community Garden), for a temperate climate.
"""

from __future__ import annotations

import random

from .common import dedupe, pick, record

SLUG = "community-garden"

# crop -> (sow, spacing cm, days to harvest, sun, water, good neighbour, pest, tip)
CROPS = {
    "tomatoes": (
        "indoors in late March, planted out after the last frost in mid-May",
        50,
        "70 to 85",
        "full sun",
        "deeply twice a week at the base, never over the leaves",
        "basil",
        "blight",
        "pinch out the side shoots of cordon varieties and tie the stem to a cane every week",
    ),
    "lettuce": (
        "outdoors every three weeks from April to August",
        25,
        "45 to 60",
        "sun or light shade",
        "a little every morning in dry weather",
        "radishes",
        "slugs",
        "sow small batches often so the bed never bolts all at once",
    ),
    "radishes": (
        "outdoors every two weeks from March to September",
        5,
        "25 to 30",
        "sun or light shade",
        "evenly, because dry soil makes them woody and hot",
        "lettuce",
        "flea beetles",
        "pull them young, as soon as the roots are the size of a marble",
    ),
    "carrots": (
        "outdoors from April to July, thinly in shallow drills",
        7,
        "70 to 80",
        "full sun",
        "steadily, since a flood after a dry spell splits the roots",
        "onions",
        "carrot fly",
        "cover the row with fine mesh, because carrot fly rarely flies higher than 60 cm",
    ),
    "bush beans": (
        "outdoors in late May when the soil is warm",
        20,
        "55 to 65",
        "full sun",
        "well once the flowers appear",
        "carrots",
        "blackfly",
        "pick every two days; the plant stops flowering if pods are left to ripen",
    ),
    "peas": (
        "outdoors from March to May, in a double row",
        8,
        "60 to 70",
        "sun",
        "at flowering and while the pods swell",
        "lettuce",
        "pea moth",
        "give them netting or twiggy sticks to climb before they flop",
    ),
    "zucchini": (
        "indoors in late April, planted out in early June",
        90,
        "50 to 60",
        "full sun",
        "generously, about ten litres a week per plant",
        "nasturtiums",
        "powdery mildew",
        "harvest at 15 to 20 cm; one forgotten marrow slows the whole plant",
    ),
    "kale": (
        "outdoors in May, moved to its final place in July",
        45,
        "60 to 75",
        "sun or light shade",
        "in dry spells",
        "onions",
        "cabbage white caterpillars",
        "pick the lower leaves and let the crown keep growing through winter",
    ),
    "spinach": (
        "outdoors in March and again in late August",
        15,
        "40 to 50",
        "light shade in summer",
        "often, since dry roots make it bolt",
        "peas",
        "leaf miners",
        "grow it in spring and autumn; it runs to seed in long summer days",
    ),
    "basil": (
        "indoors in April, outside only after nights stay above 10 degrees",
        25,
        "30 to 40",
        "full sun and shelter",
        "in the morning at the base",
        "tomatoes",
        "slugs",
        "pinch the tips above a pair of leaves so it branches instead of flowering",
    ),
    "potatoes": (
        "as sprouted tubers from late March to April",
        35,
        "90 to 120",
        "full sun",
        "when the plants flower",
        "beans",
        "blight",
        "earth up the stems twice so no tuber sees light and turns green",
    ),
    "garlic": (
        "as single cloves in October or November",
        15,
        "about 240",
        "full sun",
        "only in a dry spring",
        "carrots",
        "rust",
        "lift the bulbs when a third of the leaves have yellowed",
    ),
    "onions": (
        "as sets in March and April",
        10,
        "100 to 120",
        "full sun",
        "rarely once established",
        "carrots",
        "onion fly",
        "stop watering when the necks soften, and dry the bulbs in the sun before storing",
    ),
    "strawberries": (
        "as young plants in late summer or early spring",
        40,
        "about 60 after flowering",
        "full sun",
        "at the roots while fruit swells",
        "garlic",
        "birds and slugs",
        "tuck straw under the fruit to keep it clean and replace plants every three years",
    ),
    "cucumbers": (
        "indoors in late April, planted out in early June",
        45,
        "55 to 65",
        "full sun and shelter",
        "little and often, never letting the soil dry out",
        "dill",
        "powdery mildew",
        "train them up a net; the fruit grows straighter and stays off the soil",
    ),
    "chard": (
        "outdoors from April to July",
        30,
        "50 to 60",
        "sun or light shade",
        "in dry weather",
        "beans",
        "leaf miners",
        "cut the outer stems at the base and the plant keeps going until the first hard frost",
    ),
}

CROP_Q = {
    "sow": ["When should I sow {c}?", "When do {c} go in at the community garden?", "What is the planting time for {c}?"],
    "spacing": ["How far apart should I plant {c}?", "What spacing do {c} need?"],
    "harvest": ["How long until I can harvest {c}?", "How many days do {c} take to mature?"],
    "care": ["How do I look after {c}?", "Any tips for growing {c} in a shared plot?", "How should I water {c}?"],
    "pest": ["What pests attack {c}?", "What should I watch out for when growing {c}?"],
    "friend": ["What grows well next to {c}?", "What is a good companion plant for {c}?"],
}

RULES = [
    (
        "How do I get a plot at the Linden Street Community Garden?",
        "Put your name on the waiting list in the tool shed or at the spring meeting. Plots are offered in list order each March, and a new plot holder starts with a half plot for the first season.",
    ),
    (
        "What happens if I neglect my plot?",
        "If a plot is not worked for six weeks in the growing season, the coordinators send a friendly reminder. After another four weeks without work the plot is offered to the next person on the waiting list.",
    ),
    (
        "When is the watering rota?",
        "In July and August each plot holder takes one evening a week on the rota to water the shared beds and the seedling table. The rota is pinned inside the tool shed door.",
    ),
    (
        "Can I use chemical pesticides in the garden?",
        "No. The garden is run without synthetic pesticides or slug pellets. Use nets, beer traps, hand picking and companion planting, and ask at the shed for the shared mesh covers.",
    ),
    (
        "How does the tool shed work?",
        "Tools are shared. Sign the book when you take a tool out, clean the soil off before you return it, and report anything broken on the board so it can be fixed at the next work day.",
    ),
    (
        "When are the work days?",
        "Work days are on the first Saturday of every month from March to October, from ten until one. Everyone is asked to come to at least three a year to look after paths, compost and shared beds.",
    ),
    (
        "Can I bring my children to the garden?",
        "Yes, children are welcome with an adult. The small raised bed by the gate is kept for children's sowing, and the pond is fenced.",
    ),
    (
        "What do I do with surplus vegetables?",
        "Leave them on the sharing shelf by the gate on Saturday mornings. Whatever is left by Sunday evening goes to the food bank on Mill Road.",
    ),
    (
        "Is there water at every plot?",
        "There are four standpipes and six rain barrels spread along the main path. Use the rain barrels first and a watering can rather than a hose, so there is enough pressure for everyone.",
    ),
    (
        "Can I build a shed or greenhouse on my plot?",
        "Small cold frames and cloches are fine. Anything taller than one metre, including greenhouses and sheds, needs the coordinators' agreement at a monthly meeting first.",
    ),
    (
        "Are the raised beds accessible?",
        "Three raised beds near the gate are built at wheelchair height, 75 cm, with firm paths around them. They are offered first to gardeners who need them.",
    ),
    (
        "Why was the soil tested?",
        "City soils can hold lead from old paint and traffic. The garden's soil was tested before it opened; the vegetable beds are filled with clean topsoil on a membrane, and the lab report hangs in the shed.",
    ),
]

COMPOST = [
    (
        "What can go in the compost bins?",
        "Green material such as vegetable peelings, fresh weeds without seeds and grass clippings, and brown material such as straw, cardboard, dry leaves and woody stems. Keep out meat, dairy, cooked food, diseased plants and perennial weed roots.",
    ),
    (
        "What is the right mix of greens and browns?",
        "Aim for roughly equal volumes of green and brown material, or a little more brown. Too much green makes a smelly, wet heap; too much brown makes a dry heap that hardly rots.",
    ),
    (
        "Why does the compost smell bad?",
        "A bad smell means the heap is too wet and short of air. Mix in torn cardboard or straw and turn it with a fork so air gets in.",
    ),
    (
        "How long does compost take?",
        "A heap that is turned every few weeks is ready in four to six months; one left alone takes about a year. It is ready when it is dark, crumbly and smells of forest soil.",
    ),
    (
        "How do the garden's three compost bays work?",
        "Add fresh material to the left bay. On work days the left bay is turned into the middle one, and the middle into the right. Take finished compost only from the right bay.",
    ),
    (
        "Why add compost to the beds every year?",
        "Compost feeds soil life, holds water in dry spells and opens up heavy clay. A layer of about five centimetres in autumn is enough for most beds.",
    ),
]


def _crops(rng: random.Random) -> list[dict]:
    out = []
    for c, (sow, cm, days, sun, water, friend, pest, tip) in CROPS.items():
        answers = {
            "sow": f"Sow {c} {sow}. They want {sun}.",
            "spacing": f"Give {c} about {cm} cm between plants. Crowded plants compete for water and get more disease.",
            "harvest": f"{c[:1].upper() + c[1:]} are usually ready {days} days after sowing or planting out.",
            "care": f"Grow {c} in {sun} and water them {water}. A good habit: {tip}.",
            "pest": f"The main problem for {c} is {pest}. Check the plants twice a week and act early; in our garden we use nets and hand picking, never sprays.",
            "friend": f"{friend[:1].upper() + friend[1:]} make a good neighbour for {c}. Mixing crops in a bed also confuses pests that find plants by smell.",
        }
        for kind, qs in CROP_Q.items():
            for q in qs:
                out.append(record(q.format(c=c), answers[kind]))
    return out


def _beds(rng: random.Random, n: int) -> list[dict]:
    """How many plants fit a bed: a calculation whose answer follows from the spacing table."""
    out = []
    names = list(CROPS)
    for _ in range(n):
        c = rng.choice(names)
        cm = CROPS[c][1]
        w = rng.choice([60, 90, 100, 120])
        length = rng.choice([100, 120, 150, 200, 240, 300])
        per_row = max(1, w // cm)
        rows = max(1, length // cm)
        total = per_row * rows
        out.append(
            record(
                pick(rng, ["How many plants fit in my bed?", "Plan a bed for me.", "How many should I plant?"]),
                f"{c[:1].upper() + c[1:]} need about {cm} cm each way. A {w} cm wide bed takes {per_row} across and a {length} cm long bed "
                f"takes {rows} along it, so plant about {total}. Leave the edges a little wider if the bed borders a path.",
                f"Crop: {c}. Bed: {w} cm wide and {length} cm long.",
            )
        )
    return out


def generate(seed: int = 23) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    crops = _crops(rng)
    half = len(crops) // 2
    return {
        "vegetable-calendar-part-1": dedupe(crops[:half]),
        "vegetable-calendar-part-2": dedupe(crops[half:]),
        "bed-planning": dedupe(_beds(rng, 70)),
        "plot-holder-handbook": dedupe([record(q, a) for q, a in RULES] + [record(q, a) for q, a in COMPOST]),
    }
