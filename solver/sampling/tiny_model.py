"""A tiny random Llama with a real tokenizer, for smoke runs of the model engines
(tests and tools/bench_sampling.py): no download, built in well under a second.

The tokenizer is a whitespace-split word-level vocabulary whose only special
token is the end-of-sequence marker, so decoding then re-encoding a completion
gives back exactly the sampled tokens (minus a final EOS). The model has head
size 32 so that vLLM's CPU backend accepts it. torch, tokenizers and
transformers are imported when a model is built.
"""

from __future__ import annotations

from pathlib import Path

TINY_CORPUS = """
def main ( ) : n = int ( input ( ) ) print ( n * 2 ) return 0
include iostream using namespace std int main cin cout endl for while if else
read the input write the output solve the problem in python or cpp
a b c d e f g h i j k l m n o p q r s t u v w x y z 0 1 2 3 4 5 6 7 8 9
+ - * / % == != < > <= >= = ; { } [ ] , . : ( ) # sum max min sort list range len
"""

CHAT_TEMPLATE = (
    "{% for message in messages %}<|{{ message['role'] }}|> {{ message['content'] }} "
    "{% endfor %}{% if add_generation_prompt %}<|assistant|>{% endif %}"
)

EOS = "</s>"


def build_tiny_model(directory: Path, seed: int = 0) -> Path:
    """Write a tiny random Llama and its tokenizer to `directory` (returned)."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    words = sorted(set(TINY_CORPUS.split()))
    extra = ["[UNK]", "<|system|>", "<|user|>", "<|assistant|>", EOS]
    vocab = {token: index for index, token in enumerate(extra + words)}
    backend = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, eos_token=EOS, pad_token=EOS, chat_template=CHAT_TEMPLATE
    )
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(vocab),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=2,
        num_key_value_heads=2,
        max_position_embeddings=512,
        eos_token_id=vocab[EOS],
        pad_token_id=vocab[EOS],
        bos_token_id=None,
        tie_word_embeddings=False,
    )
    model = LlamaForCausalLM(config)
    model.generation_config.eos_token_id = vocab[EOS]
    model.generation_config.pad_token_id = vocab[EOS]
    model.generation_config.bos_token_id = None
    directory.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(directory)
    tokenizer.save_pretrained(directory)
    return directory
