"""Bicycle repair Datanet: roadside fixes, drivetrain, brakes, fit and noises, for everyday
bikes, as volunteers of a community bike workshop would explain them.
"""

from __future__ import annotations

import random

from .common import dedupe, pick, record

SLUG = "bicycle-repair"

# job -> (tools, steps, time, mistake to avoid)
JOBS = {
    "fix a flat tyre": (
        "two tyre levers, a patch kit or spare tube, and a pump",
        "1. Release the brake if needed and take the wheel out.\n2. Lever one side of the tyre off the rim.\n3. Pull out the tube, pump it up and find the hole by listening or in a bowl of water.\n4. Run your fingers carefully around the inside of the tyre to find what caused it.\n5. Patch the hole or fit the spare, put a little air in, tuck it in and push the tyre back on with your thumbs.\n6. Pump to pressure and check the bead sits evenly all round.",
        "15 to 20 minutes",
        "refitting the tube without removing the thorn or glass that caused the puncture",
    ),
    "replace brake pads on rim brakes": (
        "a 5 mm Allen key and a small file",
        "1. Undo the pad bolt and take out the worn pad.\n2. Fit the new pad with the arrow pointing the way the wheel turns.\n3. Line it up so it hits the rim fully, not the tyre, with the front edge touching very slightly first.\n4. Tighten the bolt and squeeze the lever hard ten times to check.",
        "10 minutes per wheel",
        "letting the pad touch the tyre wall, which can wear through it",
    ),
    "replace disc brake pads": (
        "needle-nose pliers, a clean flat tyre lever and isopropyl alcohol",
        "1. Take the wheel out and remove the pad retaining pin.\n2. Pull the old pads out of the caliper.\n3. Push the pistons back gently with the clean tyre lever.\n4. Slide in the new pads with their spring, refit the pin and the wheel.\n5. Pump the lever until it feels firm, then bed the pads in with ten firm stops from walking pace.",
        "15 minutes per wheel",
        "touching the pads or rotor with oily fingers; contaminated pads squeal and barely stop",
    ),
    "lubricate the chain": (
        "chain lube, a rag and a degreaser for very dirty chains",
        "1. Wipe the chain with a rag while turning the pedals backwards.\n2. Put one drop of lube on each roller on the inside of the chain.\n3. Turn the pedals for a minute so it works in.\n4. Wipe off all the lube you can from the outside.",
        "5 minutes",
        "leaving too much lube on the outside, where it collects grit and wears the drivetrain",
    ),
    "adjust the rear gears": (
        "your fingers on the barrel adjuster, and a screwdriver for the limit screws",
        "1. Shift to the smallest rear sprocket.\n2. Shift up one gear while turning the pedals.\n3. If it hesitates, turn the barrel adjuster anticlockwise a quarter turn at a time until it climbs cleanly.\n4. If it overshoots or rattles, turn it clockwise.\n5. Check every gear, and only touch the limit screws if the chain falls off the ends.",
        "10 minutes",
        "turning the limit screws when the problem is cable tension",
    ),
    "replace a chain": (
        "a chain tool, a chain checker and a new quick link",
        "1. Count the links of the old chain or compare it side by side with the new one.\n2. Open the quick link or push out a pin to remove the old chain.\n3. Thread the new chain through the derailleurs, shorten it to the same length with the chain tool.\n4. Join it with the quick link and pedal under load to snap it shut.",
        "20 minutes",
        "making the new chain too short, which can tear the derailleur off in the largest gears",
    ),
    "true a wheel": (
        "a spoke key and a truing stand or the bike's brake pads as a guide",
        "1. Spin the wheel and find where the rim moves to one side.\n2. At that spot, tighten the spoke that comes from the opposite side of the hub by a quarter turn.\n3. Loosen its neighbours from the same side as the wobble by a quarter turn.\n4. Repeat in small steps, spinning after each change, until the wobble is under a millimetre.",
        "20 to 40 minutes",
        "turning spokes by whole turns; quarter turns are enough",
    ),
    "set saddle height": (
        "a 5 or 6 mm Allen key",
        "1. Sit on the bike next to a wall and put your heel on the pedal at its lowest point.\n2. Your leg should be straight with the heel on the pedal.\n3. Raise or lower the saddle until it is, then tighten the seatpost clamp.\n4. Never raise the post above its minimum insertion mark.",
        "5 minutes",
        "setting the saddle low for comfort, which strains the knees",
    ),
    "adjust a loose headset": (
        "two Allen keys, usually 4 and 5 mm",
        "1. Hold the front brake and rock the bike; a knock means the headset is loose.\n2. Loosen the stem's side bolts.\n3. Tighten the top cap bolt a little until the knock stops but the bars still turn freely.\n4. Line up the stem with the wheel and tighten the side bolts evenly.",
        "10 minutes",
        "tightening the top cap while the stem bolts are still tight, which does nothing",
    ),
}

JOB_Q = [
    "How do I {j}?",
    "What tools do I need to {j}?",
    "Walk me through how to {j}.",
    "How long does it take to {j}?",
    "What is the most common mistake when people {j}?",
    "Can you explain how to {j}?",
    "I want to {j} myself. Where do I start?",
]

# noise -> (likely cause, check)
NOISES = {
    "a clicking that happens once per pedal turn": (
        "a loose pedal or a dry pedal thread",
        "take the pedals out, grease the threads and tighten them firmly",
    ),
    "a squeal when I brake": ("contaminated or glazed brake pads", "clean the rim or rotor with alcohol and lightly sand the pad surface"),
    "a rattle over bumps": (
        "a loose mudguard, bottle cage or rack bolt",
        "lift the bike a few centimetres, drop it and listen, then tighten what moves",
    ),
    "a grinding from the chain": ("a dry or worn chain", "clean and lubricate it, then measure its wear with a chain checker"),
    "a rubbing sound from the front wheel": (
        "a brake pad or mudguard touching the wheel",
        "spin the wheel slowly and watch where it touches, then re-centre the brake",
    ),
    "a creak when I stand on the pedals": (
        "a dry seatpost, stem or crank interface",
        "take the part out, clean it, grease it and tighten it to the torque printed on it",
    ),
    "a chain that skips under load": (
        "a worn chain on worn sprockets or poor gear adjustment",
        "check the chain with a checker; if it is past 0.75 percent, replace the chain and usually the cassette",
    ),
}

SAFETY = [
    (
        "What should I check before every ride?",
        "Squeeze both brakes hard and push the bike forward: it should not roll. Pinch the tyres to feel the pressure, check the quick releases or axle nuts are closed, and spin each wheel once to see it runs straight.",
    ),
    (
        "How often should a bike be serviced?",
        "Give an everyday bike a full check once a year, or every 3000 km, and clean and lube the chain every two weeks of regular riding or after every wet ride.",
    ),
    (
        "How do I know my brake pads are worn?",
        "Rim pads have grooves; when the grooves are gone, replace them. Disc pads need replacing when the pad material is thinner than about 1 mm, or if the brake squeals metallically.",
    ),
    (
        "How do I close a quick release properly?",
        "Open the lever, tighten the nut on the other side until the lever starts to resist halfway, then push the lever closed so it leaves an imprint in your palm. It must not be used like a wing nut.",
    ),
    (
        "Why does my tyre keep going flat?",
        "Something is still in the tyre, the rim tape has slipped and a spoke hole is cutting the tube, or the valve is leaking. Check the inside of the tyre, the rim tape and the valve core before fitting another tube.",
    ),
    (
        "Presta or Schrader valve: what is the difference?",
        "Presta valves are thin, with a small nut you unscrew before pumping. Schrader valves are wider, like car valves. Many pumps have a head that fits both; otherwise use a small adapter.",
    ),
    (
        "What is the minimum insertion mark?",
        "It is a line on the seatpost and stem steerer showing how far they must stay inside the frame. Riding above it can crack the frame or snap the post.",
    ),
    (
        "How tight should bolts on a bike be?",
        "Most bolts have the torque printed next to them, usually between 4 and 6 newton metres on stems and seatpost clamps. Use a torque wrench on carbon parts; overtightening cracks them.",
    ),
    (
        "How do I clean a bike?",
        "Rinse with low-pressure water, wash with a soft brush and bike cleaner, degrease the chain and sprockets separately, rinse, dry, and lube the chain. Avoid pointing a pressure washer at bearings.",
    ),
    (
        "Can I ride with a slightly buckled wheel?",
        "A small wobble that does not touch the brakes is safe to ride home on. A wheel that hits the frame or has a loose or broken spoke should be fixed before riding.",
    ),
]

NOISE_Q = ["My bike makes {n}. What is it?", "What causes {n} on a bike?", "How do I get rid of {n}?"]


def _jobs(rng: random.Random) -> list[dict]:
    out = []
    for j, (tools, steps, time, mistake) in JOBS.items():
        for q in JOB_Q:
            if "tools" in q:
                a = f"To {j} you need {tools}."
            elif "long" in q:
                a = f"Plan on {time} the first time. It gets quicker with practice."
            elif "mistake" in q:
                a = f"The classic mistake is {mistake}."
            else:
                a = f"You need {tools}.\n{steps}\nAvoid {mistake}."
            out.append(record(q.format(j=j), a))
    return out


def _noises(rng: random.Random) -> list[dict]:
    out = []
    for n, (cause, check) in NOISES.items():
        for q in NOISE_Q:
            a = pick(
                rng,
                [
                    f"Most often that is {cause}. To check and fix it, {check}.",
                    f"It is usually {cause}. {check[:1].upper() + check[1:]}; if the noise stays, bring the bike to a workshop.",
                ],
            )
            out.append(record(q.format(n=n), a))
    return out


def _pressure(rng: random.Random) -> list[dict]:
    """Tyre pressure from width and rider weight: a rule of thumb the workshop teaches."""
    base = {25: 85, 28: 75, 32: 60, 35: 52, 38: 48, 42: 42, 50: 35, 57: 30}
    out = []
    combos = [(w, kg) for w in base for kg in (50, 60, 70, 80, 90, 100, 110)] * 2
    for width, weight in combos:
        psi = base[width] + (weight - 70) // 10 * 3
        rear, front = psi, psi - 5
        bar_r, bar_f = round(rear / 14.5, 1), round(front / 14.5, 1)
        out.append(
            record(
                pick(rng, ["What tyre pressure should I run?", "How hard should I pump my tyres?", "Recommend a tyre pressure."]),
                f"For {width} mm tyres and a {weight} kg rider, start at about {rear} psi ({bar_r} bar) in the rear and {front} psi "
                f"({bar_f} bar) in the front. Wider tyres need less pressure; never go outside the range printed on the tyre wall.",
                f"Tyre width {width} mm, rider weight {weight} kg.",
            )
        )
    return out


def _chain_wear(rng: random.Random) -> list[dict]:
    out = []
    for wear in (0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1.0):
        for speeds in (8, 9, 10, 11, 12):
            limit = 0.5 if speeds >= 11 else 0.75
            if wear < limit:
                a = f"At {wear}% wear the chain is still fine for a {speeds}-speed drivetrain, whose limit is {limit}%. Keep it clean and measure again every 500 km."
            elif wear < 1.0:
                a = f"At {wear}% the chain has reached the {limit}% limit for {speeds}-speed. Replace the chain now and the cassette will usually be saved."
            else:
                a = f"At {wear}% the chain is worn out. A new chain will probably skip on the old cassette, so plan to replace both."
            out.append(record("Is my chain worn out?", a, f"Chain checker reads {wear}%. Drivetrain: {speeds}-speed."))
    return out


def generate(seed: int = 37) -> dict[str, list[dict]]:
    rng = random.Random(seed)
    return {
        "workshop-basics": dedupe(_jobs(rng)),
        "noises-and-fixes": dedupe(_noises(rng)),
        "tyre-pressure-table": dedupe(_pressure(rng)),
        "chain-wear-and-safety": dedupe(_chain_wear(rng) + [record(q, a) for q, a in SAFETY]),
    }
