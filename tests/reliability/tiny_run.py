"""A tiny corpus and run configuration: three small documents, about ten chunks, a minute end to end."""

from __future__ import annotations

from pathlib import Path

DOCS = {
    "bees.md": """# Honey bees

Honey is made from nectar that worker bees collect from flowers and store in wax cells of the hive. The bees
evaporate the water by fanning their wings until the sugar content rises above eighty percent, and then they
cap each cell with a thin layer of wax.

## The colony

A colony has one queen, thousands of female workers and a few hundred male drones in summer. The queen lays up
to two thousand eggs a day during the spring build-up, while workers change jobs as they age, from cleaning
cells to nursing larvae and finally foraging outside.

## Swarming

When a colony grows crowded in late spring, the old queen leaves with about half of the workers to found a new
nest. Scout bees search for a cavity and report its location to the swarm with a waggle dance, and the swarm
moves once enough scouts agree on one site.
""",
    "glaciers.txt": """Glaciers form where more snow falls in winter than melts in summer, so that the
snow piles up
year after year and slowly compresses into dense blue ice. Under its own weight the ice begins to flow
downhill
like a very thick river.

A moving glacier plucks rocks from its bed and grinds them against the valley floor, carving U-shaped valleys,
cirques and sharp ridges called aretes. When the ice retreats it leaves behind moraines, ridges of
unsorted rock
and gravel that mark its former edges.

Scientists measure the mass balance of a glacier by comparing the snow gained at the top with the ice lost at
the tongue. Most mountain glaciers around the world have been losing mass for decades as summers grow warmer.
""",
    "bread.html": """<html><head><title>Sourdough bread</title></head><body><main>
<h1>Sourdough bread</h1>
<h2>The starter</h2>
<p>A sourdough starter is a mixture of flour and water in which wild yeasts and lactic acid bacteria live
together. Bakers feed it with fresh flour and water every day, and it rises and falls with a sour smell
once it
is active and healthy.</p>
<h2>Baking</h2>
<p>The dough is mixed from flour, water, salt and a spoonful of starter, then left to ferment slowly for many
hours. A long cold proof in the refrigerator develops flavour, and the loaf is baked in a very hot covered pot
so that steam keeps the crust soft until it expands fully.</p>
<p>Rye flour ferments faster than wheat flour because it carries more enzymes and wild microbes, so rye breads
often need a shorter rise and a more acidic starter to keep their crumb from turning gummy.</p>
</main></body></html>
""",
}


def write_tiny_corpus(folder: Path) -> Path:
    """Three small documents (Markdown, text, HTML) that give about ten chunks of 64 tokens."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in DOCS.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def write_tiny_config(path: Path, docs: Path, runs_dir: Path, generate: str = 'llm = "bundled"') -> Path:
    """A run configuration small enough to run end to end in about a minute on two CPU cores."""
    path.write_text(
        f'name = "tiny"\nruns_dir = "{runs_dir}"\n'
        f'[corpus]\nsources = ["{docs}"]\n'
        "[chunk]\nmodel = \"bundled-minilm\"\nchunk_tokens = 64\noverlap_tokens = 8\nmin_tokens = 10\n"
        f"[generate]\n{generate}\nresample = 0\nprogress = false\n"
        "questions_per_chunk = 1\ntemperature = 0.0\ngreedy_prompt = \"\"\n"
        "[dataset]\nmodel = \"bundled-minilm\"\n"
        "[train]\nmodel = \"bundled-minilm\"\nepochs = 2\nbatch_size = 4\n"
        "[compare]\nbm25 = false\nbootstrap_samples = 100\n",
        encoding="utf-8",
    )
    return path
