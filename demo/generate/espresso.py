"""Home espresso Datanet: dialing in, machine care, milk drinks, beans and water.

Facts live in small tables written for this project; questions and answers are composed from
them with several phrasings, so a fine-tuned model learns the facts, not one sentence.
"""

from __future__ import annotations

import random

from .common import dedupe, pick, record

SLUG = "home-espresso"

# symptom -> (diagnosis, fix, why)
TASTE = {
    "sour and thin": (
        "under-extracted",
        "grind one or two steps finer and keep the dose the same",
        "the water ran through too quickly to dissolve the sweeter compounds",
    ),
    "bitter and drying": (
        "over-extracted",
        "grind one or two steps coarser or stop the shot a few grams earlier",
        "the water kept pulling harsh compounds after the sweet ones were gone",
    ),
    "salty with a sharp edge": (
        "under-extracted",
        "grind finer and raise the brew temperature by one degree",
        "saltiness is one of the first flavours to dissolve, so it dominates a short extraction",
    ),
    "hollow and flat": (
        "brewed from stale beans",
        "use beans roasted within the last four weeks",
        "old coffee has lost the gases and aromatics that give a shot its body",
    ),
    "harsh and ashy": (
        "brewed too hot for a dark roast",
        "lower the brew temperature to about 89 degrees Celsius",
        "dark roasts dissolve easily and turn harsh when the water is very hot",
    ),
    "grassy and astringent": (
        "brewed too cool for a light roast",
        "raise the brew temperature to about 95 degrees Celsius and run a longer ratio",
        "light roasts are dense and need more heat and water to extract fully",
    ),
    "watery with little crema": (
        "run with too low a dose or too coarse a grind",
        "weigh the dose and grind finer until the shot takes 25 to 30 seconds",
        "there was not enough resistance in the puck to build pressure",
    ),
    "muddy and heavy": (
        "over-dosed for the basket",
        "remove a gram from the dose so the puck does not touch the shower screen",
        "a puck pressed against the screen extracts unevenly and leaves fines in the cup",
    ),
}

TASTE_Q = [
    "My espresso tastes {s}. What is going wrong?",
    "Why does my shot taste {s}?",
    "The espresso from my home machine is {s}. How do I fix it?",
    "What should I change when a shot comes out {s}?",
    "I keep pulling shots that are {s}. Any advice?",
]
TASTE_A = [
    "A shot that tastes {s} is usually {d}: {w}. To fix it, {f}, then taste again and change only one thing at a time.",
    "That taste points to a shot that was {d}. {w_cap}. Next time {f}. Keep notes of dose, yield and time so you can compare.",
    "Most likely the shot was {d}, because {w}. The simplest correction is to {f}.",
]

# drink -> (dose g, yield g, seconds, milk ml or 0, description)
DRINKS = {
    "ristretto": (18, 27, "20 to 25", 0, "a short, syrupy shot at about a 1 to 1.5 ratio"),
    "espresso": (18, 36, "25 to 30", 0, "the standard double shot at a 1 to 2 ratio"),
    "lungo": (18, 54, "35 to 40", 0, "a long shot at about a 1 to 3 ratio, lighter in body"),
    "macchiato": (18, 36, "25 to 30", 20, "a double shot marked with a spoonful of microfoam"),
    "cortado": (18, 36, "25 to 30", 60, "a double shot cut with an equal amount of lightly textured milk"),
    "flat white": (18, 36, "25 to 30", 120, "a double shot under thin, glossy microfoam in a small cup"),
    "cappuccino": (18, 36, "25 to 30", 150, "a double shot with milk and a thick layer of airy foam"),
    "latte": (18, 36, "25 to 30", 240, "a double shot in a large glass of steamed milk with a thin foam cap"),
    "americano": (18, 36, "25 to 30", 0, "a double shot poured over about 120 ml of hot water"),
}

DRINK_Q = [
    "How do I make a {n} at home?",
    "What recipe should I use for a {n}?",
    "Give me the dose, yield and milk for a {n}.",
    "What is a {n}?",
    "How much milk goes into a {n}?",
]

# task -> (how often, steps, why)
MAINTENANCE = {
    "backflush with plain water": (
        "every day you use the machine",
        "fit the blind basket, run the pump for ten seconds, stop it, and repeat five times",
        "it washes coffee oils out of the group head before they turn rancid",
    ),
    "backflush with espresso detergent": (
        "once a week",
        "put half a teaspoon of detergent in the blind basket, run five cycles of ten seconds, then five cycles with clean water",
        "detergent removes the oily film that plain water leaves behind",
    ),
    "clean the shower screen": (
        "once a week",
        "unscrew the screen, scrub it with a brush in hot water with detergent, and rinse it before refitting",
        "a blocked screen spreads water unevenly over the puck and causes channeling",
    ),
    "replace the group gasket": (
        "every six to twelve months",
        "pry the old gasket out with a small screwdriver, clean the seat, and press in a new one of the same size",
        "a hardened gasket leaks around the portafilter and lets pressure escape",
    ),
    "descale the boiler": (
        "every one to three months, depending on how hard your water is",
        "use a descaler approved by the maker, follow its dilution, run it through the group and wand, then flush twice with fresh water",
        "scale insulates the heating element and can block small pipes and valves",
    ),
    "purge and wipe the steam wand": (
        "after every time you steam milk",
        "wipe the wand with a damp cloth right away and open the steam valve for two seconds",
        "milk dries into a crust inside the tip within minutes and is hard to remove later",
    ),
    "clean the grinder burrs": (
        "once a month",
        "unplug the grinder, remove the upper burr, brush out old grounds, and vacuum the chute",
        "stale oily grounds collect on the burrs and add a rancid taste to fresh coffee",
    ),
    "change the water filter cartridge": (
        "every two months, or sooner with very hard water",
        "soak the new cartridge for a few minutes, fit it in the tank, and discard the first tank of water",
        "an exhausted cartridge stops softening the water and scale builds up again",
    ),
    "empty and wash the drip tray": (
        "every day",
        "pull the tray out, empty it, wash it in warm soapy water, and dry it before sliding it back",
        "standing coffee water smells quickly and can grow mould",
    ),
    "soak the portafilter and baskets": (
        "once a week",
        "remove the basket, soak both in hot water with a spoon of detergent for twenty minutes, then rinse well",
        "oil builds up under the basket rim where a brush does not reach",
    ),
}

MAINT_Q = [
    "How often should I {t}?",
    "How do I {t}?",
    "Why do I need to {t}?",
    "What is the right way to {t} on a home espresso machine?",
]

# roast -> (brew temperature, rest days, note)
ROASTS = {
    "light": ("94 to 96 degrees Celsius", "10 to 21 days", "it needs a finer grind and often a longer ratio such as 1 to 2.5"),
    "medium": ("92 to 93 degrees Celsius", "7 to 14 days", "it is the easiest roast to dial in and suits most milk drinks"),
    "dark": ("88 to 90 degrees Celsius", "4 to 10 days", "it extracts fast, so a shorter ratio such as 1 to 1.8 keeps it sweet"),
}

BEANS = [
    (
        "How should I store espresso beans?",
        "Keep beans in an airtight, opaque container at room temperature, away from heat and sunlight. Do not keep the bag you are using in the fridge: moisture condenses on the beans every time you open it.",
    ),
    (
        "Can I freeze coffee beans?",
        "Yes. Freeze beans in single-dose airtight portions and grind them straight from the freezer. Never refreeze a portion that has thawed.",
    ),
    (
        "How long do beans stay good for espresso?",
        "Most beans taste best for espresso between one and five weeks after the roast date. After that the shots lose body and crema.",
    ),
    (
        "What water should I use in my espresso machine?",
        "Use soft to medium water, around 50 to 100 milligrams per litre of hardness. Very hard water scales the boiler and very soft or distilled water tastes flat and can corrode metal parts.",
    ),
    (
        "Is distilled water good for espresso?",
        "No. Distilled water has no minerals, so the coffee tastes flat, and some machines rely on a little mineral content for their water level sensors. Use filtered or lightly softened water instead.",
    ),
    (
        "Why does the roast date matter?",
        "Freshly roasted coffee releases carbon dioxide for days. Too fresh and the shot spurts and tastes sharp; too old and it is flat. The roast date lets you brew in the window where the coffee is at its best.",
    ),
    (
        "Should I buy pre-ground coffee for espresso?",
        "Avoid it if you can. Ground coffee goes stale within an hour or two, and espresso needs a grind adjusted to your own machine. A burr grinder is the most important purchase after the machine.",
    ),
    (
        "What kind of grinder do I need for espresso?",
        "A burr grinder with fine, stepless or small-step adjustment. Blade grinders make uneven particles, which cause channeling and bitter, sour shots at the same time.",
    ),
]

MILK = [
    (
        "What temperature should steamed milk reach?",
        "Stop steaming between 55 and 65 degrees Celsius, when the jug becomes too hot to hold for more than a second. Above 70 degrees the milk loses its sweetness and smells cooked.",
    ),
    (
        "How do I make microfoam?",
        "Start with cold milk in a cold jug. Put the wand tip just under the surface and let it hiss gently for a few seconds to add air, then sink it a little deeper and tilt the jug so the milk spins until it reaches temperature. Tap and swirl the jug until the surface shines.",
    ),
    (
        "Why is my milk foam full of big bubbles?",
        "The wand tip was too high and let in too much air at once. Keep the tip just below the surface while stretching, stop adding air earlier, and tap the jug on the counter to burst large bubbles.",
    ),
    (
        "Can I steam oat milk?",
        "Yes. Choose a barista version of oat milk, which has added fat and stabilisers. Stretch it a little less than dairy milk and stop at about 60 degrees Celsius, because it breaks down faster when hot.",
    ),
    (
        "Why does my milk not foam?",
        "The milk may be warm or old, or the steam pressure too low. Use fresh cold milk, purge the wand before you start, and wait until the machine shows full steam pressure.",
    ),
    (
        "How much milk should I put in the jug?",
        "Fill the jug to just below the bottom of the spout. Milk grows by about a third when you stretch it, and too little milk heats before you have finished texturing it.",
    ),
]

PUCK = [
    (
        "What is channeling in espresso?",
        "Channeling happens when water finds a weak path through the puck and rushes through it. The shot spurts, the puck shows small holes, and the cup tastes sour and bitter at once.",
    ),
    (
        "How do I stop channeling?",
        "Break up clumps with a needle tool, level the grounds before tamping, tamp once firmly and evenly, and make sure the basket is not over-filled.",
    ),
    (
        "How hard should I tamp?",
        "Tamp firmly enough that the grounds stop compressing; the exact force matters much less than keeping the tamper level. Changing tamp pressure is a poor way to adjust a shot: change the grind instead.",
    ),
    (
        "Do I need a scale for espresso?",
        "A scale with 0.1 gram resolution is the easiest way to make repeatable shots. Weigh the dose before grinding and the drink in the cup while it runs.",
    ),
    (
        "What does preinfusion do?",
        "Preinfusion wets the puck at low pressure for a few seconds before full pressure. It settles the grounds and reduces channeling, which helps light roasts and fine grinds.",
    ),
]


def _taste(rng: random.Random) -> list[dict]:
    out = []
    for s, (d, f, w) in TASTE.items():
        for q in TASTE_Q:
            a = pick(rng, TASTE_A)
            out.append(record(q.format(s=s), a.format(s=s, d=d, f=f, w=w, w_cap=w[:1].upper() + w[1:])))
    return out


def _shot(rng: random.Random, n: int) -> list[dict]:
    """Shot reports with a diagnosis that follows from dose, yield, time and taste."""
    tastes = ["sour", "bitter", "balanced and sweet", "sour and bitter at once"]
    out = []
    for _ in range(n):
        dose = rng.choice([14, 15, 16, 17, 18, 18, 18, 19, 20])
        ratio = rng.choice([1.5, 2, 2, 2, 2.5, 3])
        yld = round(dose * ratio)
        secs = rng.choice([14, 17, 19, 22, 25, 27, 29, 31, 34, 38, 42, 47])
        taste = rng.choice(tastes)
        fast, slow = secs < 24, secs > 32
        pace = "fast" if fast else "slow" if slow else "in a normal time for espresso"
        if taste == "sour and bitter at once":
            advice = (
                "Sour and bitter together almost always means channeling: part of the puck over-extracted while water rushed "
                "past the rest. Stir the grounds with a needle tool, level them, tamp evenly, and pull the shot again before touching the grind."
            )
        elif fast and taste == "sour":
            advice = "The shot is under-extracted. Grind finer until the same yield takes about 27 seconds."
        elif slow and taste == "bitter":
            advice = "The shot is over-extracted. Grind coarser until the same yield takes about 28 seconds."
        elif taste == "sour":
            advice = (
                "The time is fine but the cup is still sour, so extract more in another way: raise the brew temperature by one or two degrees, "
                f"or run a longer ratio, for example {dose} g in and {round(dose * (ratio + 0.5))} g out."
            )
        elif taste == "bitter":
            advice = (
                "The time is acceptable but the cup is bitter, so extract less: lower the brew temperature by one or two degrees, "
                f"or stop earlier, for example {dose} g in and {round(dose * max(1.5, ratio - 0.4))} g out."
            )
        elif fast:
            advice = (
                "It tastes good, so keep it, but a fast shot is fragile: small changes in beans will make it sour. Consider one step finer."
            )
        elif slow:
            advice = "It tastes good, so keep it. If the shot starts to drip slowly at the end next time, go one step coarser."
        else:
            advice = "Keep these settings and write them down with the roast date, so you can find them again with the next bag."
        ratio_text = f"1 to {ratio:g}"
        out.append(
            record(
                pick(
                    rng,
                    ["Diagnose this espresso shot.", "What should I change about this shot?", "Here is my last shot. How do I improve it?"],
                ),
                f"This is a {ratio_text} ratio, and at {secs} seconds the shot ran {pace}. {advice}",
                f"Dose {dose} g, yield {yld} g, time {secs} s. It tastes {taste}.",
            )
        )
    return out


def _drinks(rng: random.Random) -> list[dict]:
    out = []
    for n, (dose, yld, secs, milk, desc) in DRINKS.items():
        for q in DRINK_Q:
            milk_text = f"add about {milk} ml of steamed milk" if milk else "no milk"
            if n == "americano":
                milk_text = "no milk, but hot water in the cup first"
            ans = pick(
                rng,
                [
                    f"A {n} is {desc}. Pull {dose} g of coffee to {yld} g in the cup in {secs} seconds, with {milk_text}.",
                    f"For a {n}, use {dose} g in and {yld} g out over {secs} seconds; {milk_text}. It is {desc}.",
                ],
            )
            out.append(record(q.format(n=n), ans))
    return out


def _maintenance(rng: random.Random) -> list[dict]:
    out = []
    for t, (freq, steps, why) in MAINTENANCE.items():
        for q in MAINT_Q:
            if q.startswith("How often"):
                a = f"{freq[:1].upper() + freq[1:]}. To do it, {steps}."
            elif q.startswith("Why"):
                a = f"Because {why}. Plan to do it {freq}."
            else:
                a = f"{steps[:1].upper() + steps[1:]}. Do this {freq}, because {why}."
            out.append(record(q.format(t=t), a))
    return out


def _roasts(rng: random.Random) -> list[dict]:
    out = []
    for r, (temp, rest, note) in ROASTS.items():
        out.append(record(f"What brew temperature suits a {r} roast?", f"Brew a {r} roast at {temp}; {note}."))
        out.append(
            record(
                f"How long should a {r} roast rest before I use it for espresso?",
                f"Let a {r} roast rest {rest} after the roast date. Before that it releases so much gas that the shot spurts and tastes sharp.",
            )
        )
        out.append(
            record(
                f"Tips for dialing in a {r} roast?",
                f"Start at {temp} with 18 g in and 36 g out; {note}. Adjust the grind first, then the temperature.",
            )
        )
    return out


def generate(seed: int = 11) -> dict[str, list[dict]]:
    """Records per contributor file: each contributor writes about what they know best."""
    rng = random.Random(seed)
    dialing = dedupe(_taste(rng) + _shot(rng, 110) + [record(q, a) for q, a in PUCK])
    care = dedupe(_maintenance(rng))
    drinks = dedupe(_drinks(rng) + [record(q, a) for q, a in MILK])
    beans = dedupe(_roasts(rng) + [record(q, a) for q, a in BEANS])
    late = dedupe(_shot(random.Random(seed + 1), 24))
    return {
        "dialing-in-notes": dialing,
        "machine-care-log": care,
        "milk-drinks-handbook": drinks,
        "beans-and-water": beans,
        "more-shot-diagnoses": late,
    }
