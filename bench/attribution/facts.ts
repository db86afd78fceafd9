// The planted facts of the attribution bench: invented (no model can know them), one per
// passage, each with a question, the words an answer that used it contains, and two distractors
// written to share the question's words but not the answer — one that echoes the question, one
// about the same subject.

export type PlantedFact = {
  question: string;
  /** The passage that holds the answer. */
  fact: string;
  /** Text (lowercase) an answer taken from the fact contains. */
  key: string;
  /** About the same subject, sharing the question's words, not holding the answer. */
  topical: string;
};

export const FACTS: PlantedFact[] = [
  {
    question: "What water temperature does the Aurora café brew its espresso at?",
    fact: "The Aurora café brews its espresso with water at 93 degrees Celsius.",
    key: "93",
    topical: "The Aurora café brews espresso with care, and the water temperature of its espresso brew is the café's pride.",
  },
  {
    question: "How many steps does the Velmont lighthouse staircase have?",
    fact: "The Velmont lighthouse staircase has 217 steps from the door to the lamp room.",
    key: "217",
    topical: "The Velmont lighthouse staircase is steep, and the steps of the lighthouse have been repaired many times.",
  },
  {
    question: "What colour is the roof of the Brannick town hall?",
    fact: "The Brannick town hall has a bright green copper roof.",
    key: "green",
    topical: "The roof of the Brannick town hall was restored, and the town hall's colour scheme was chosen by the council.",
  },
  {
    question: "Which river flows past the village of Oskarby?",
    fact: "The Tellin river flows past the village of Oskarby on its way to the sea.",
    key: "tellin",
    topical: "The village of Oskarby floods when the river flows high, and the river past the village is popular with anglers.",
  },
  {
    question: "At what time does the Harlow night market open?",
    fact: "The Harlow night market opens at half past seven in the evening.",
    key: "seven",
    topical: "The Harlow night market is busy from the time it opens, and the market's opening draws crowds every night.",
  },
  {
    question: "What is the name of the Quenby ferry's captain?",
    fact: "The captain of the Quenby ferry is Mirela Dascalu.",
    key: "mirela",
    topical: "The Quenby ferry's captain greets passengers by name, and the ferry's crew is proud of their captain.",
  },
  {
    question: "How long is the Drummel tunnel?",
    fact: "The Drummel tunnel is 4.6 kilometres long.",
    key: "4.6",
    topical: "The Drummel tunnel took long to build, and how long the tunnel stays open each day depends on the season.",
  },
  {
    question: "Which fruit does the Pellow orchard grow most?",
    fact: "The Pellow orchard grows mostly quinces.",
    key: "quince",
    topical: "The Pellow orchard grows fruit on old trees, and most of the orchard's fruit is sold at the farm gate.",
  },
  {
    question: "Which instrument does the director of the Santorel choir play?",
    fact: "The director of the Santorel choir plays the oboe.",
    key: "oboe",
    topical: "The Santorel choir's director chooses every piece, and the choir sings with an instrument ensemble at Easter.",
  },
  {
    question: "How old is the oak tree in Farrowdale square?",
    fact: "The oak tree in Farrowdale square is 412 years old.",
    key: "412",
    topical: "The oak tree in Farrowdale square is old and loved, and the square's tree is lit up every winter.",
  },
  {
    question: "What milk does the Kestrel valley dairy make its blue cheese from?",
    fact: "The Kestrel valley dairy makes its blue cheese from sheep's milk.",
    key: "sheep",
    topical: "The Kestrel valley dairy makes blue cheese in caves, and the dairy's cheese is aged for months.",
  },
  {
    question: "In which year was the Ormond observatory built?",
    fact: "The Ormond observatory was built in 1887.",
    key: "1887",
    topical: "The Ormond observatory was built on a hill, and every year the observatory opens its dome to schools.",
  },
  {
    question: "What is the top speed of the Lumen express train?",
    fact: "The Lumen express train has a top speed of 265 kilometres per hour.",
    key: "265",
    topical: "The Lumen express train is known for its speed, and the express is the top train on the coastal line.",
  },
  {
    question: "Which bird nests on the cliffs of Isle Carrow?",
    fact: "Puffins nest on the cliffs of Isle Carrow every spring.",
    key: "puffin",
    topical: "The cliffs of Isle Carrow are steep, and bird watchers visit Isle Carrow to see the nests on the cliffs.",
  },
  {
    question: "What language is the Vasko museum's guidebook written in?",
    fact: "The Vasko museum's guidebook is written in Estonian.",
    key: "estonian",
    topical: "The Vasko museum's guidebook was written by its curators, and the museum sells the guidebook at the door.",
  },
  {
    question: "How many rooms does the Greystone inn have?",
    fact: "The Greystone inn has 14 rooms above its tavern.",
    key: "14",
    topical: "The Greystone inn's rooms are small, and how many guests the inn can take depends on the season.",
  },
  {
    question: "What metal is the Marrow bridge made of?",
    fact: "The Marrow bridge is made of wrought iron.",
    key: "iron",
    topical: "The Marrow bridge was made by local smiths, and the bridge's metal railings were replaced last year.",
  },
  {
    question: "Who designed the Tessaly garden maze?",
    fact: "The Tessaly garden maze was designed by Henrike Albers.",
    key: "albers",
    topical: "The Tessaly garden maze was designed to confuse visitors, and the garden's maze is trimmed every summer.",
  },
  {
    question: "Which spice flavours the famous bun of the Corrin bakery?",
    fact: "The Corrin bakery flavours its famous bun with cardamom.",
    key: "cardamom",
    topical: "The Corrin bakery is famous for its bun, and the bakery's spice blend is a family secret.",
  },
  {
    question: "How deep is Lake Sorrel?",
    fact: "Lake Sorrel is 88 metres deep at its deepest point.",
    key: "88",
    topical: "Lake Sorrel is deep and cold, and divers who explore Lake Sorrel say it is the clearest lake in the region.",
  },
  {
    question: "On which day is the Pinecrest library closed?",
    fact: "The Pinecrest library is closed on Wednesdays.",
    key: "wednesday",
    topical: "The Pinecrest library is closed on public holidays, and the library's opening hours change each day of summer.",
  },
  {
    question: "Which animal is on the flag of Valderan province?",
    fact: "The flag of Valderan province shows a white heron.",
    key: "heron",
    topical: "The flag of Valderan province flies over every town hall, and the province's animal emblem appears on its coins.",
  },
  {
    question: "What fuel does the Amsel steam mill burn?",
    fact: "The Amsel steam mill burns beech wood.",
    key: "beech",
    topical: "The Amsel steam mill still runs its steam engine, and the mill burns fuel only on open days.",
  },
  {
    question: "How many strings does a Tolvani harp have?",
    fact: "A Tolvani harp has 31 strings.",
    key: "31",
    topical: "A Tolvani harp's strings are tuned by hand, and how many harps the workshop makes each year is small.",
  },
];

/** The distractor that echoes the question: every word of it, and nothing of the answer. */
export function echo(question: string): string {
  return `Visitors often ask: ${question} The staff answer such questions at the front desk every day.`;
}
