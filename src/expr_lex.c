/*-------------------------------------------------------------------------
 *
 * expr_lex.c
 *	  Lexical analysis of DynamoDB expressions.
 *
 * The rules are DynamoDB's: whitespace (space, tab, CR, LF) separates
 * tokens; a name starts with an ASCII letter and continues with letters,
 * digits and '_'; "#" and ":" placeholders need at least one letter, digit
 * or '_' after the sigil; an integer is a run of digits (list indexes).
 * Keywords are names; the parser recognises them.  A character that starts
 * no token becomes a TK_ERROR token, so the parser reports it as a syntax
 * error at the point where it reaches it (as DynamoDB does, e.g. token "_"
 * in "SET _123").
 *
 * src/expr_lex.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "expr_int.h"

static inline bool
is_alpha(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static inline bool
is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

static inline bool
is_alnum_(unsigned char c)
{
	return is_alpha(c) || is_digit(c) || c == '_';
}

static inline bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/*
 * Length of the UTF-8 character at s (at most len bytes), or 1 when the
 * bytes are not a valid UTF-8 sequence.
 */
static int
utf8_char_len(const unsigned char *s, int len)
{
	int			n;
	int			i;

	if (s[0] < 0x80)
		return 1;
	else if ((s[0] & 0xE0) == 0xC0 && s[0] >= 0xC2)
		n = 2;
	else if ((s[0] & 0xF0) == 0xE0)
		n = 3;
	else if ((s[0] & 0xF8) == 0xF0 && s[0] <= 0xF4)
		n = 4;
	else
		return 1;
	if (n > len)
		return 1;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 1;
	return n;
}

/*
 * Split text into tokens.  The array ends with a TK_EOF token whose start
 * is the end of the text.
 */
ExprToken *
ExprTokenize(const char *text, int len, int *ntokens)
{
	const unsigned char *s = (const unsigned char *) text;
	ExprToken  *toks = palloc((len + 1) * sizeof(ExprToken));
	int			n = 0;
	int			i = 0;

	while (i < len)
	{
		unsigned char c = s[i];
		ExprTokKind kind;
		int			start = i;

		if (is_space(c))
		{
			i++;
			continue;
		}
		if (is_alpha(c))
		{
			i++;
			while (i < len && is_alnum_(s[i]))
				i++;
			kind = TK_NAME;
		}
		else if (is_digit(c))
		{
			i++;
			while (i < len && is_digit(s[i]))
				i++;
			kind = TK_INTEGER;
		}
		else if ((c == '#' || c == ':') && i + 1 < len && is_alnum_(s[i + 1]))
		{
			i += 2;
			while (i < len && is_alnum_(s[i]))
				i++;
			kind = (c == '#') ? TK_NAMEREF : TK_VALREF;
		}
		else
		{
			i++;
			switch (c)
			{
				case '(':
					kind = TK_LPAREN;
					break;
				case ')':
					kind = TK_RPAREN;
					break;
				case '[':
					kind = TK_LBRACKET;
					break;
				case ']':
					kind = TK_RBRACKET;
					break;
				case ',':
					kind = TK_COMMA;
					break;
				case '.':
					kind = TK_DOT;
					break;
				case '=':
					kind = TK_EQ;
					break;
				case '+':
					kind = TK_PLUS;
					break;
				case '-':
					kind = TK_MINUS;
					break;
				case '<':
					kind = TK_LT;
					if (i < len && s[i] == '>')
					{
						kind = TK_NE;
						i++;
					}
					else if (i < len && s[i] == '=')
					{
						kind = TK_LE;
						i++;
					}
					break;
				case '>':
					kind = TK_GT;
					if (i < len && s[i] == '=')
					{
						kind = TK_GE;
						i++;
					}
					break;
				default:
					kind = TK_ERROR;
					i = start + utf8_char_len(s + start, len - start);
					break;
			}
		}
		toks[n].kind = kind;
		toks[n].start = start;
		toks[n].len = i - start;
		n++;
	}
	toks[n].kind = TK_EOF;
	toks[n].start = len;
	toks[n].len = 0;
	n++;
	*ntokens = n;
	return toks;
}
