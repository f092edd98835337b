import * as library from '@huggingface/tokenizers';

/*
 * @huggingface/tokenizers 0.2.0's .d.ts files import one another without file extensions, which
 * NodeNext resolution cannot follow: its Tokenizer arrives as `any` and its pre-tokenizers not at
 * all. These are the parts FactorLab uses, typed as the package's types/ folder declares them.
 */

export interface HfEncoding {
  ids: number[];
  tokens: string[];
}

export interface HfTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): HfEncoding;
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
  token_to_id(token: string): number | undefined;
  id_to_token(id: number): string | undefined;
}

export interface HfPreTokenizer {
  pre_tokenize_text(text: string): string[];
}

interface Library {
  Tokenizer: new (tokenizerJson: object, tokenizerConfig: object) => HfTokenizer;
  ByteLevelPreTokenizer: new (config: {
    type: 'ByteLevel';
    add_prefix_space?: boolean;
    trim_offsets?: boolean;
    use_regex?: boolean;
  }) => HfPreTokenizer;
}

export const { Tokenizer, ByteLevelPreTokenizer } = library as unknown as Library;
