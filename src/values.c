/*-------------------------------------------------------------------------
 *
 * values.c
 *	  DynamoDB attribute values without jsonb: canonical numbers and exact
 *	  decimal addition, value trees, equality and order, item size, the
 *	  order-preserving key encoding, base64 and typed-JSON text output.
 *
 * Nothing here calls PostgreSQL's jsonb, numeric or fmgr code; it needs
 * only palloc, StringInfo and ereport, so it can be linked into a
 * standalone fuzz harness.  The conversions from and to jsonb live in
 * values_json.c.
 *
 * Numbers are kept as canonical decimal text: no exponent, no '+', no
 * leading zeros, no trailing fractional zeros, "0" for every zero.  The
 * arithmetic below works on the digit strings directly, so it is exact and
 * needs no numeric library.
 *
 * src/values.c
 *
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include "lib/stringinfo.h"

#include "values.h"

/* Range of a number's decimal exponent (that of its first digit). */
#define NUM_MAX_EXP		125
#define NUM_MIN_EXP		(-130)

/*
 * Key encoding of N: a tag byte, the exponent plus NUM_EXP_BIAS in one byte
 * (complemented for negatives), one byte per digit, and for negatives a
 * terminator that sorts after every digit byte.
 */
#define NUM_EXP_BIAS	130
#define KEY_N_NEGATIVE	0x01
#define KEY_N_ZERO		0x02
#define KEY_N_POSITIVE	0x03
#define KEY_N_END		0xFF

#define MSG_NUM_EMPTY	"The parameter cannot be converted to a numeric value"

/*
 * A parsed number.  The significant digits are read from the text they
 * were parsed from: ndigits digits starting at first, skipping the decimal
 * point if one lies between them.
 */
typedef struct DdbNum
{
	bool		neg;
	bool		zero;
	int64		exp;			/* decimal exponent of the first digit */
	int			ndigits;		/* significant digits */
	const char *first;			/* first significant digit */
} DdbNum;

typedef enum NumParseResult
{
	NUM_OK,
	NUM_EMPTY,
	NUM_SYNTAX
} NumParseResult;

static const char *const type_names[DDB_TYPE__COUNT] = {
	[DDB_S] = "S",
	[DDB_N] = "N",
	[DDB_B] = "B",
	[DDB_BOOL] = "BOOL",
	[DDB_NULL] = "NULL",
	[DDB_M] = "M",
	[DDB_L] = "L",
	[DDB_SS] = "SS",
	[DDB_NS] = "NS",
	[DDB_BS] = "BS",
};

static const char *const type_long_names[DDB_TYPE__COUNT] = {
	[DDB_S] = "STRING",
	[DDB_N] = "NUMBER",
	[DDB_B] = "BINARY",
	[DDB_BOOL] = "BOOLEAN",
	[DDB_NULL] = "NULL",
	[DDB_M] = "MAP",
	[DDB_L] = "LIST",
	[DDB_SS] = "STRING_SET",
	[DDB_NS] = "NUMBER_SET",
	[DDB_BS] = "BINARY_SET",
};

static const char base64_chars[] =
"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";


/* ---------------------------------------------------------------------
 * errors and names
 * ---------------------------------------------------------------------
 */

/*
 * Raise the DynamoDB exception recorded in *err.
 */
void
DdbRaiseValueError(const DdbValueError *err)
{
	ddb_error(err->ex, "%s", err->message);
}

/* Fill *err with a ValidationException carrying msg; returns NULL. */
static void *
ValidationFailure(DdbValueError *err, const char *msg)
{
	err->ex = DDB_EX_VALIDATION;
	err->message = pstrdup(msg);
	return NULL;
}

const char *
DdbTypeName(DdbType t)
{
	Assert(t >= 0 && t < DDB_TYPE__COUNT);
	return type_names[t];
}

const char *
DdbTypeLongName(DdbType t)
{
	Assert(t >= 0 && t < DDB_TYPE__COUNT);
	return type_long_names[t];
}

/*
 * Look up a short type name ("S" .. "BS"); false if it is none of them.
 */
bool
DdbTypeFromName(const char *name, int len, DdbType *out)
{
	int			t;

	for (t = 0; t < DDB_TYPE__COUNT; t++)
	{
		if ((int) strlen(type_names[t]) == len &&
			memcmp(type_names[t], name, len) == 0)
		{
			*out = (DdbType) t;
			return true;
		}
	}
	return false;
}

/*
 * Check the length of an attribute name (DynamoDB Local's messages).
 */
bool
DdbCheckAttributeName(const char *name, int len, DdbValueError *err)
{
	if (len <= 0)
	{
		ValidationFailure(err, DDB_MSG_EMPTY_ATTR_NAME);
		return false;
	}
	if (len > DDB_MAX_ATTR_NAME_LEN)
	{
		ValidationFailure(err, DDB_MSG_ATTR_NAME_TOO_LARGE);
		return false;
	}
	return true;
}


/* ---------------------------------------------------------------------
 * numbers
 * ---------------------------------------------------------------------
 */

/*
 * Parse a number in Java BigDecimal's syntax (which is what DynamoDB
 * accepts): optional sign, digits with at most one decimal point and at
 * least one digit, optional exponent "e" or "E" with optional sign and at
 * least one digit.  Nothing else, not even surrounding spaces.  Absurd
 * exponents saturate instead of overflowing, so they still end up out of
 * range.
 */
static NumParseResult
NumParse(const char *s, int len, DdbNum *num)
{
	const char *p = s;
	const char *end = s + len;
	int			ndig = 0;
	int			intdig = -1;
	int			first = -1;
	int			last = -1;
	int64		e = 0;

	memset(num, 0, sizeof(*num));
	if (len <= 0)
		return NUM_EMPTY;

	if (*p == '+' || *p == '-')
	{
		num->neg = (*p == '-');
		p++;
	}
	for (; p < end; p++)
	{
		if (*p >= '0' && *p <= '9')
		{
			if (*p != '0')
			{
				if (first < 0)
				{
					first = ndig;
					num->first = p;
				}
				last = ndig;
			}
			ndig++;
		}
		else if (*p == '.' && intdig < 0)
			intdig = ndig;
		else
			break;
	}
	if (ndig == 0)
		return NUM_SYNTAX;
	if (intdig < 0)
		intdig = ndig;

	if (p < end && (*p == 'e' || *p == 'E'))
	{
		bool		eneg = false;
		int			edig = 0;

		p++;
		if (p < end && (*p == '+' || *p == '-'))
		{
			eneg = (*p == '-');
			p++;
		}
		for (; p < end && *p >= '0' && *p <= '9'; p++)
		{
			if (e < INT64CONST(1000000000000000))
				e = e * 10 + (*p - '0');
			edig++;
		}
		if (edig == 0)
			return NUM_SYNTAX;
		if (eneg)
			e = -e;
	}
	if (p != end)
		return NUM_SYNTAX;

	if (first < 0)
	{
		num->zero = true;
		num->neg = false;
		return NUM_OK;
	}
	num->exp = (int64) intdig - 1 - first + e;
	num->ndigits = last - first + 1;
	return NUM_OK;
}

/* The next significant digit (as a character) at *p, advancing *p. */
static inline char
NumNextDigit(const char **p)
{
	if (**p == '.')
		(*p)++;
	return *(*p)++;
}

/* DynamoDB's message when num cannot be stored, or NULL when it can. */
static const char *
NumLimitMessage(const DdbNum *num)
{
	if (num->zero)
		return NULL;
	if (num->exp > NUM_MAX_EXP)
		return DDB_MSG_NUMBER_OVERFLOW;
	if (num->exp < NUM_MIN_EXP)
		return DDB_MSG_NUMBER_UNDERFLOW;
	if (num->ndigits > DDB_MAX_NUMBER_DIGITS)
		return DDB_MSG_NUMBER_DIGITS;
	return NULL;
}

/* Canonical text of a number that is within DynamoDB's limits. */
static char *
NumFormat(const DdbNum *num)
{
	StringInfoData buf;
	const char *d = num->first;
	int			nd = num->ndigits;
	int			i;

	if (num->zero)
		return pstrdup("0");
	Assert(NumLimitMessage(num) == NULL);

	initStringInfo(&buf);
	if (num->neg)
		appendStringInfoChar(&buf, '-');
	if (num->exp >= 0)
	{
		int			intlen = (int) num->exp + 1;

		for (i = 0; i < intlen; i++)
			appendStringInfoChar(&buf, i < nd ? NumNextDigit(&d) : '0');
		if (nd > intlen)
		{
			appendStringInfoChar(&buf, '.');
			for (; i < nd; i++)
				appendStringInfoChar(&buf, NumNextDigit(&d));
		}
	}
	else
	{
		appendStringInfoString(&buf, "0.");
		for (i = 0; i < -num->exp - 1; i++)
			appendStringInfoChar(&buf, '0');
		for (i = 0; i < nd; i++)
			appendStringInfoChar(&buf, NumNextDigit(&d));
	}
	return buf.data;
}

/*
 * Parse a number that is already known to be valid (stored or canonical
 * text); anything else is an internal error.
 */
static void
NumParseValid(const char *s, int len, DdbNum *num)
{
	if (NumParse(s, len, num) != NUM_OK || NumLimitMessage(num) != NULL)
		elog(ERROR, "invalid stored number \"%.*s\"", len, s);
}

/*
 * Validate a number against DynamoDB's syntax and limits and return its
 * canonical text; NULL with *err filled (checks in dynalite's order:
 * syntax, overflow, underflow, digits).
 */
char *
DdbNumberCanonical(const char *s, int len, DdbValueError *err)
{
	DdbNum		num;
	const char *msg;

	switch (NumParse(s, len, &num))
	{
		case NUM_EMPTY:
			return ValidationFailure(err, MSG_NUM_EMPTY);
		case NUM_SYNTAX:
			err->ex = DDB_EX_VALIDATION;
			err->message = psprintf(MSG_NUM_EMPTY ": %.*s", len, s);
			return NULL;
		case NUM_OK:
			break;
	}
	msg = NumLimitMessage(&num);
	if (msg != NULL)
		return ValidationFailure(err, msg);
	return NumFormat(&num);
}

/* Compare two parsed numbers numerically. */
static int
NumCompare(const DdbNum *a, const DdbNum *b)
{
	const char *da;
	const char *db;
	int			mag = 0;
	int			i;

	if (a->zero || b->zero)
	{
		if (a->zero && b->zero)
			return 0;
		if (a->zero)
			return b->neg ? 1 : -1;
		return a->neg ? -1 : 1;
	}
	if (a->neg != b->neg)
		return a->neg ? -1 : 1;

	/* Same sign: compare magnitudes. */
	if (a->exp != b->exp)
		mag = a->exp > b->exp ? 1 : -1;
	else
	{
		da = a->first;
		db = b->first;
		for (i = 0; i < a->ndigits && i < b->ndigits && mag == 0; i++)
		{
			char		ca = NumNextDigit(&da);
			char		cb = NumNextDigit(&db);

			if (ca != cb)
				mag = ca > cb ? 1 : -1;
		}
		if (mag == 0 && a->ndigits != b->ndigits)
			mag = a->ndigits > b->ndigits ? 1 : -1;
	}
	return a->neg ? -mag : mag;
}

/*
 * Numeric order of two stored numbers: <0, 0, >0.
 */
int
DdbNumberCompare(const char *a, int alen, const char *b, int blen)
{
	DdbNum		x;
	DdbNum		y;

	if (NumParse(a, alen, &x) != NUM_OK)
		elog(ERROR, "invalid stored number \"%.*s\"", alen, a);
	if (NumParse(b, blen, &y) != NUM_OK)
		elog(ERROR, "invalid stored number \"%.*s\"", blen, b);
	return NumCompare(&x, &y);
}

/*
 * Spread the digits of num into digits[], where digits[k - lo] is the digit
 * of weight 10^k.
 */
static void
NumSpread(const DdbNum *num, int8 *digits, int64 lo)
{
	const char *d = num->first;
	int			i;

	for (i = 0; i < num->ndigits; i++)
		digits[num->exp - i - lo] = NumNextDigit(&d) - '0';
}

/*
 * Exact a + b (or a - b) of two stored numbers, by schoolbook addition on
 * their digits; raises DynamoDB's overflow/underflow errors when the result
 * cannot be stored.
 */
char *
DdbNumberAdd(const char *a, const char *b, bool subtract)
{
	DdbNum		x;
	DdbNum		y;
	DdbNum		res;
	int64		lo;
	int64		hi;
	int			width;
	int8	   *dx;
	int8	   *dy;
	int8	   *dr;
	int			top;
	int			bottom;
	int			i;
	char	   *text;
	const char *msg;

	NumParseValid(a, (int) strlen(a), &x);
	NumParseValid(b, (int) strlen(b), &y);
	if (subtract && !y.zero)
		y.neg = !y.neg;
	if (y.zero)
		return NumFormat(&x);
	if (x.zero)
		return NumFormat(&y);

	/* Digit positions that can be non-zero, plus one for a carry. */
	lo = Min(x.exp - x.ndigits + 1, y.exp - y.ndigits + 1);
	hi = Max(x.exp, y.exp) + 1;
	width = (int) (hi - lo + 1);
	dx = palloc0(width);
	dy = palloc0(width);
	dr = palloc0(width);
	NumSpread(&x, dx, lo);
	NumSpread(&y, dy, lo);

	memset(&res, 0, sizeof(res));
	if (x.neg == y.neg)
	{
		int			carry = 0;

		for (i = 0; i < width; i++)
		{
			int			s = dx[i] + dy[i] + carry;

			dr[i] = s % 10;
			carry = s / 10;
		}
		Assert(carry == 0);
		res.neg = x.neg;
	}
	else
	{
		int8	   *big = NULL;
		int8	   *small = NULL;
		int			borrow = 0;

		for (i = width - 1; i >= 0 && big == NULL; i--)
		{
			if (dx[i] != dy[i])
			{
				big = dx[i] > dy[i] ? dx : dy;
				small = dx[i] > dy[i] ? dy : dx;
			}
		}
		if (big == NULL)
			return pstrdup("0");
		for (i = 0; i < width; i++)
		{
			int			s = big[i] - small[i] - borrow;

			borrow = s < 0;
			dr[i] = s < 0 ? s + 10 : s;
		}
		Assert(borrow == 0);
		res.neg = (big == dx) ? x.neg : y.neg;
	}

	top = width - 1;
	while (top > 0 && dr[top] == 0)
		top--;
	bottom = 0;
	while (bottom < top && dr[bottom] == 0)
		bottom++;

	res.exp = lo + top;
	res.ndigits = top - bottom + 1;
	text = palloc(res.ndigits + 1);
	for (i = 0; i < res.ndigits; i++)
		text[i] = '0' + dr[top - i];
	text[res.ndigits] = '\0';
	res.first = text;

	/*
	 * DynamoDB reports a result that needs more than 38 digits with the
	 * overflow message, not the digits one.
	 */
	if (res.ndigits > DDB_MAX_NUMBER_DIGITS)
		ddb_error(DDB_EX_VALIDATION, DDB_MSG_NUMBER_OVERFLOW);
	msg = NumLimitMessage(&res);
	if (msg != NULL)
		ddb_error(DDB_EX_VALIDATION, "%s", msg);
	return NumFormat(&res);
}

/* DynamoDB's size of a stored number (dynalite's model, see the docs). */
static int64
NumSize(const char *s, int len)
{
	DdbNum		num;

	NumParseValid(s, len, &num);
	if (num.zero)
		return 1;
	return 1 + (num.ndigits + 1) / 2 +
		((num.ndigits % 2 == 0 && num.exp % 2 == 0) ? 1 : 0) +
		(num.neg ? 1 : 0);
}


/* ---------------------------------------------------------------------
 * base64
 * ---------------------------------------------------------------------
 */

/* Value of a base64 character, or -1. */
static inline int
Base64Value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/*
 * Append the standard, padded base64 text of data to buf.
 */
void
DdbBase64Encode(StringInfo buf, const char *data, int len)
{
	const unsigned char *s = (const unsigned char *) data;
	char	   *out;
	int			i;

	enlargeStringInfo(buf, ((len + 2) / 3) * 4);
	out = buf->data + buf->len;
	for (i = 0; i + 2 < len; i += 3)
	{
		uint32		w = (s[i] << 16) | (s[i + 1] << 8) | s[i + 2];

		*out++ = base64_chars[(w >> 18) & 0x3F];
		*out++ = base64_chars[(w >> 12) & 0x3F];
		*out++ = base64_chars[(w >> 6) & 0x3F];
		*out++ = base64_chars[w & 0x3F];
	}
	if (len - i == 1)
	{
		uint32		w = s[i] << 16;

		*out++ = base64_chars[(w >> 18) & 0x3F];
		*out++ = base64_chars[(w >> 12) & 0x3F];
		*out++ = '=';
		*out++ = '=';
	}
	else if (len - i == 2)
	{
		uint32		w = (s[i] << 16) | (s[i + 1] << 8);

		*out++ = base64_chars[(w >> 18) & 0x3F];
		*out++ = base64_chars[(w >> 12) & 0x3F];
		*out++ = base64_chars[(w >> 6) & 0x3F];
		*out++ = '=';
	}
	buf->len = out - buf->data;
	*out = '\0';
}

/* Fill *err with a SerializationException about base64 text src. */
static bool
Base64Failure(DdbValueError *err, const char *src, int len, const char *what)
{
	err->ex = DDB_EX_SERIALIZATION;
	err->message = psprintf("'%.*s' can not be converted to a Blob: %s",
							len, src, what);
	return false;
}

/*
 * The checks and messages are dynalite's, which copied DynamoDB's: length,
 * then the first character that is not in the alphabet (or a '=' followed
 * by something else), then whether the text is the canonical encoding of
 * what it decodes to (at most two '=', unused bits zero).
 */
bool
DdbBase64Validate(const char *src, int len, DdbValueError *err)
{
	const unsigned char *s = (const unsigned char *) src;
	int			pad = 0;
	int			i;

	if (len % 4 != 0)
		return Base64Failure(err, src, len,
							 psprintf("Base64 encoded length is expected a multiple of 4 bytes but found: %d",
									  len));
	for (i = 0; i < len; i++)
	{
		bool		bad;

		if (s[i] == '=')
			bad = (i + 1 < len && s[i + 1] != '=');
		else
			bad = (Base64Value(s[i]) < 0);
		if (bad)
		{
			int			clen = 1;

			/* Show a whole UTF-8 character, not just its first byte. */
			if (s[i] >= 0xF0)
				clen = 4;
			else if (s[i] >= 0xE0)
				clen = 3;
			else if (s[i] >= 0xC0)
				clen = 2;
			clen = Min(clen, len - i);
			return Base64Failure(err, src, len,
								 psprintf("Invalid Base64 character: '%.*s'",
										  clen, src + i));
		}
	}

	while (pad < len && s[len - 1 - pad] == '=')
		pad++;
	if (pad > 2 ||
		(pad == 2 && (Base64Value(s[len - 3]) & 0x0F) != 0) ||
		(pad == 1 && (Base64Value(s[len - 2]) & 0x03) != 0))
		return Base64Failure(err, src, len,
							 "Invalid last non-pad Base64 character dectected");
	return true;
}

/*
 * Decode base64 text checked by DdbBase64Validate; NULL with *err filled
 * when it is not valid.
 */
char *
DdbBase64Decode(const char *src, int len, int *outlen, DdbValueError *err)
{
	const unsigned char *s = (const unsigned char *) src;
	char	   *out;
	char	   *o;
	int			i;

	if (!DdbBase64Validate(src, len, err))
		return NULL;
	while (len > 0 && s[len - 1] == '=')
		len--;

	out = palloc((len / 4) * 3 + 3);
	o = out;
	for (i = 0; i + 3 < len; i += 4)
	{
		uint32		w = (Base64Value(s[i]) << 18) | (Base64Value(s[i + 1]) << 12) |
			(Base64Value(s[i + 2]) << 6) | Base64Value(s[i + 3]);

		*o++ = (w >> 16) & 0xFF;
		*o++ = (w >> 8) & 0xFF;
		*o++ = w & 0xFF;
	}
	if (len - i == 2)
	{
		uint32		w = (Base64Value(s[i]) << 18) | (Base64Value(s[i + 1]) << 12);

		*o++ = (w >> 16) & 0xFF;
	}
	else if (len - i == 3)
	{
		uint32		w = (Base64Value(s[i]) << 18) | (Base64Value(s[i + 1]) << 12) |
			(Base64Value(s[i + 2]) << 6);

		*o++ = (w >> 16) & 0xFF;
		*o++ = (w >> 8) & 0xFF;
	}
	*o = '\0';
	*outlen = o - out;
	return out;
}


/* ---------------------------------------------------------------------
 * construction
 * ---------------------------------------------------------------------
 */

/* A NUL-terminated copy of an attribute name (which may hold any byte). */
static char *
CopyName(const char *name, int len)
{
	char	   *c = palloc(len + 1);

	if (len > 0)
		memcpy(c, name, len);
	c[len] = '\0';
	return c;
}

static DdbValue *
NewValue(DdbType t)
{
	DdbValue   *v = palloc0(sizeof(DdbValue));

	v->type = t;
	return v;
}

DdbValue *
DdbValueMakeString(DdbType t, const char *data, int len)
{
	DdbValue   *v;

	Assert(DdbTypeIsScalarKey(t));
	v = NewValue(t);
	v->u.str.data = palloc(len + 1);
	if (len > 0)
		memcpy(v->u.str.data, data, len);
	v->u.str.data[len] = '\0';
	v->u.str.len = len;
	return v;
}

DdbValue *
DdbValueMakeBool(bool b)
{
	DdbValue   *v = NewValue(DDB_BOOL);

	v->u.boolean = b;
	return v;
}

DdbValue *
DdbValueMakeNull(void)
{
	DdbValue   *v = NewValue(DDB_NULL);

	v->u.boolean = true;
	return v;
}

DdbValue *
DdbValueMakeMap(void)
{
	return NewValue(DDB_M);
}

DdbValue *
DdbValueMakeList(DdbType t)
{
	Assert(t == DDB_L || DdbTypeIsSet(t));
	return NewValue(t);
}

/*
 * Deep copy of a value in the current memory context.
 */
DdbValue *
DdbValueCopy(const DdbValue *v)
{
	DdbValue   *c;
	int			i;

	switch (v->type)
	{
		case DDB_S:
		case DDB_N:
		case DDB_B:
			return DdbValueMakeString(v->type, v->u.str.data, v->u.str.len);
		case DDB_BOOL:
			return DdbValueMakeBool(v->u.boolean);
		case DDB_NULL:
			return DdbValueMakeNull();
		case DDB_M:
			c = NewValue(DDB_M);
			c->u.map.count = c->u.map.capacity = v->u.map.count;
			if (v->u.map.count > 0)
				c->u.map.entries = palloc(sizeof(DdbMapEntry) * v->u.map.count);
			for (i = 0; i < v->u.map.count; i++)
			{
				const DdbMapEntry *e = &v->u.map.entries[i];

				c->u.map.entries[i].name = CopyName(e->name, e->namelen);
				c->u.map.entries[i].namelen = e->namelen;
				c->u.map.entries[i].value = DdbValueCopy(e->value);
			}
			return c;
		case DDB_L:
		case DDB_SS:
		case DDB_NS:
		case DDB_BS:
			c = NewValue(v->type);
			c->u.list.count = c->u.list.capacity = v->u.list.count;
			if (v->u.list.count > 0)
				c->u.list.elems = palloc(sizeof(DdbValue *) * v->u.list.count);
			for (i = 0; i < v->u.list.count; i++)
				c->u.list.elems[i] = DdbValueCopy(v->u.list.elems[i]);
			return c;
		default:
			elog(ERROR, "unrecognized attribute value type %d", (int) v->type);
	}
	return NULL;				/* keep compiler quiet */
}


/* ---------------------------------------------------------------------
 * equality, order, size
 * ---------------------------------------------------------------------
 */

/* Bytewise unsigned order of two byte strings; a prefix sorts first. */
static int
BytesCompare(const char *a, int alen, const char *b, int blen)
{
	int			c = memcmp(a, b, Min(alen, blen));

	if (c != 0)
		return c < 0 ? -1 : 1;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return 0;
}

/* jsonb's order of object keys: shorter first, then bytewise. */
static int
NameCompare(const char *a, int alen, const char *b, int blen)
{
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return memcmp(a, b, alen);
}

/*
 * Order of two S, N or B values of the same type (key order).
 */
int
DdbValueCompare(const DdbValue *a, const DdbValue *b)
{
	Assert(a->type == b->type);
	switch (a->type)
	{
		case DDB_S:
		case DDB_B:
			return BytesCompare(a->u.str.data, a->u.str.len,
								b->u.str.data, b->u.str.len);
		case DDB_N:
			return DdbNumberCompare(a->u.str.data, a->u.str.len,
									b->u.str.data, b->u.str.len);
		default:
			elog(ERROR, "values of type %s have no order", DdbTypeName(a->type));
	}
	return 0;					/* keep compiler quiet */
}

/*
 * DynamoDB equality: same type and equal content, recursively.
 */
bool
DdbValueEquals(const DdbValue *a, const DdbValue *b)
{
	int			i;

	if (a->type != b->type)
		return false;
	switch (a->type)
	{
		case DDB_S:
		case DDB_B:
			return a->u.str.len == b->u.str.len &&
				memcmp(a->u.str.data, b->u.str.data, a->u.str.len) == 0;
		case DDB_N:
			return DdbValueCompare(a, b) == 0;
		case DDB_BOOL:
			return a->u.boolean == b->u.boolean;
		case DDB_NULL:
			return true;
		case DDB_M:
			if (a->u.map.count != b->u.map.count)
				return false;
			for (i = 0; i < a->u.map.count; i++)
			{
				const DdbMapEntry *ea = &a->u.map.entries[i];
				const DdbMapEntry *eb = &b->u.map.entries[i];

				if (NameCompare(ea->name, ea->namelen, eb->name, eb->namelen) != 0 ||
					!DdbValueEquals(ea->value, eb->value))
					return false;
			}
			return true;
		case DDB_L:
			if (a->u.list.count != b->u.list.count)
				return false;
			for (i = 0; i < a->u.list.count; i++)
				if (!DdbValueEquals(a->u.list.elems[i], b->u.list.elems[i]))
					return false;
			return true;
		case DDB_SS:
		case DDB_NS:
		case DDB_BS:
			/* Both sets are sorted and unique, so members pair up. */
			if (a->u.list.count != b->u.list.count)
				return false;
			for (i = 0; i < a->u.list.count; i++)
				if (DdbValueCompare(a->u.list.elems[i], b->u.list.elems[i]) != 0)
					return false;
			return true;
		default:
			elog(ERROR, "unrecognized attribute value type %d", (int) a->type);
	}
	return false;				/* keep compiler quiet */
}

/*
 * DynamoDB's size of a value (section 1.4 of the semantics notes).
 */
int64
DdbValueSize(const DdbValue *v)
{
	int64		size = 0;
	int			i;

	switch (v->type)
	{
		case DDB_S:
		case DDB_B:
			return v->u.str.len;
		case DDB_N:
			return NumSize(v->u.str.data, v->u.str.len);
		case DDB_BOOL:
		case DDB_NULL:
			return 1;
		case DDB_M:
			size = 3;
			for (i = 0; i < v->u.map.count; i++)
				size += 1 + v->u.map.entries[i].namelen +
					DdbValueSize(v->u.map.entries[i].value);
			return size;
		case DDB_L:
			size = 3;
			for (i = 0; i < v->u.list.count; i++)
				size += 1 + DdbValueSize(v->u.list.elems[i]);
			return size;
		case DDB_SS:
		case DDB_NS:
		case DDB_BS:
			for (i = 0; i < v->u.list.count; i++)
				size += DdbValueSize(v->u.list.elems[i]);
			return size;
		default:
			elog(ERROR, "unrecognized attribute value type %d", (int) v->type);
	}
	return 0;					/* keep compiler quiet */
}

/*
 * DynamoDB's size of an item: name bytes plus value size per attribute.
 */
int64
DdbItemSize(const DdbValue *item)
{
	int64		size = 0;
	int			i;

	Assert(item->type == DDB_M);
	for (i = 0; i < item->u.map.count; i++)
		size += item->u.map.entries[i].namelen +
			DdbValueSize(item->u.map.entries[i].value);
	return size;
}

/*
 * Key attributes are limited by the bytes of an S or B value; numbers are
 * not length-checked by DynamoDB, so for N this is just its stored size,
 * which is far below any key limit.
 */
int
DdbKeyValueSize(const DdbValue *v)
{
	switch (v->type)
	{
		case DDB_S:
		case DDB_B:
			return v->u.str.len;
		case DDB_N:
			return (int) NumSize(v->u.str.data, v->u.str.len);
		default:
			elog(ERROR, "values of type %s cannot be keys", DdbTypeName(v->type));
	}
	return 0;					/* keep compiler quiet */
}


/* ---------------------------------------------------------------------
 * maps, lists and sets
 * ---------------------------------------------------------------------
 */

/*
 * Position of name in map: its index when *found, otherwise where it would
 * be inserted.
 */
static int
MapSearch(const DdbValue *map, const char *name, int namelen, bool *found)
{
	int			lo = 0;
	int			hi = map->u.map.count;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		const DdbMapEntry *e = &map->u.map.entries[mid];
		int			c = NameCompare(e->name, e->namelen, name, namelen);

		if (c == 0)
		{
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/*
 * The value of name in map, or NULL.
 */
DdbValue *
DdbMapGet(const DdbValue *map, const char *name, int namelen)
{
	bool		found;
	int			i;

	Assert(map->type == DDB_M);
	i = MapSearch(map, name, namelen, &found);
	return found ? map->u.map.entries[i].value : NULL;
}

/*
 * Set name to value in map, keeping the entries in jsonb key order.
 */
void
DdbMapSet(DdbValue *map, const char *name, int namelen, DdbValue *value)
{
	bool		found;
	int			i;
	DdbMapEntry *e;

	Assert(map->type == DDB_M);
	i = MapSearch(map, name, namelen, &found);
	if (found)
	{
		map->u.map.entries[i].value = value;
		return;
	}
	if (map->u.map.count == map->u.map.capacity)
	{
		int			newcap = Max(8, map->u.map.capacity * 2);

		if (map->u.map.entries == NULL)
			map->u.map.entries = palloc(sizeof(DdbMapEntry) * newcap);
		else
			map->u.map.entries = repalloc(map->u.map.entries,
										  sizeof(DdbMapEntry) * newcap);
		map->u.map.capacity = newcap;
	}
	if (i < map->u.map.count)
		memmove(&map->u.map.entries[i + 1], &map->u.map.entries[i],
				sizeof(DdbMapEntry) * (map->u.map.count - i));
	e = &map->u.map.entries[i];
	e->name = CopyName(name, namelen);
	e->namelen = namelen;
	e->value = value;
	map->u.map.count++;
}

/*
 * Remove name from map; false if it was not there.
 */
bool
DdbMapRemove(DdbValue *map, const char *name, int namelen)
{
	bool		found;
	int			i;

	Assert(map->type == DDB_M);
	i = MapSearch(map, name, namelen, &found);
	if (!found)
		return false;
	if (i < map->u.map.count - 1)
		memmove(&map->u.map.entries[i], &map->u.map.entries[i + 1],
				sizeof(DdbMapEntry) * (map->u.map.count - i - 1));
	map->u.map.count--;
	return true;
}

/* Make room for one more element in a list or set. */
static void
ListReserve(DdbValue *list)
{
	if (list->u.list.count == list->u.list.capacity)
	{
		int			newcap = Max(8, list->u.list.capacity * 2);

		if (list->u.list.elems == NULL)
			list->u.list.elems = palloc(sizeof(DdbValue *) * newcap);
		else
			list->u.list.elems = repalloc(list->u.list.elems,
										  sizeof(DdbValue *) * newcap);
		list->u.list.capacity = newcap;
	}
}

/*
 * Append elem to a list (or to a set that DdbSetSort will sort).
 */
void
DdbListAppend(DdbValue *list, DdbValue *elem)
{
	Assert(list->type == DDB_L || DdbTypeIsSet(list->type));
	ListReserve(list);
	list->u.list.elems[list->u.list.count++] = elem;
}

/* The scalar type of the members of a set type. */
static DdbType
SetMemberType(DdbType set)
{
	switch (set)
	{
		case DDB_SS:
			return DDB_S;
		case DDB_NS:
			return DDB_N;
		case DDB_BS:
			return DDB_B;
		default:
			elog(ERROR, "type %s is not a set", DdbTypeName(set));
	}
	return DDB_S;				/* keep compiler quiet */
}

/* Like MapSearch, for the sorted members of a set. */
static int
SetSearch(const DdbValue *set, const DdbValue *member, bool *found)
{
	int			lo = 0;
	int			hi = set->u.list.count;

	while (lo < hi)
	{
		int			mid = lo + (hi - lo) / 2;
		int			c = DdbValueCompare(set->u.list.elems[mid], member);

		if (c == 0)
		{
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

/*
 * Insert member into a sorted set; false if it is already a member.
 */
bool
DdbSetAdd(DdbValue *set, DdbValue *member)
{
	bool		found;
	int			i;

	if (member->type != SetMemberType(set->type))
		elog(ERROR, "a %s value cannot be a member of a %s set",
			 DdbTypeName(member->type), DdbTypeName(set->type));
	i = SetSearch(set, member, &found);
	if (found)
		return false;
	ListReserve(set);
	if (i < set->u.list.count)
		memmove(&set->u.list.elems[i + 1], &set->u.list.elems[i],
				sizeof(DdbValue *) * (set->u.list.count - i));
	set->u.list.elems[i] = member;
	set->u.list.count++;
	return true;
}

/*
 * Remove member from a sorted set; false if it was not a member.
 */
bool
DdbSetRemove(DdbValue *set, const DdbValue *member)
{
	bool		found;
	int			i;

	Assert(DdbTypeIsSet(set->type));
	if (member->type != SetMemberType(set->type))
		return false;
	i = SetSearch(set, member, &found);
	if (!found)
		return false;
	if (i < set->u.list.count - 1)
		memmove(&set->u.list.elems[i], &set->u.list.elems[i + 1],
				sizeof(DdbValue *) * (set->u.list.count - i - 1));
	set->u.list.count--;
	return true;
}

/* qsort comparator for set members. */
static int
SetMemberQsortCmp(const void *a, const void *b)
{
	return DdbValueCompare(*(DdbValue *const *) a, *(DdbValue *const *) b);
}

/*
 * Sort a set's members into key order; false when two are equal.
 */
bool
DdbSetSort(DdbValue *set)
{
	int			i;

	Assert(DdbTypeIsSet(set->type));
	if (set->u.list.count < 2)
		return true;
	qsort(set->u.list.elems, set->u.list.count, sizeof(DdbValue *),
		  SetMemberQsortCmp);
	for (i = 1; i < set->u.list.count; i++)
		if (DdbValueCompare(set->u.list.elems[i - 1], set->u.list.elems[i]) == 0)
			return false;
	return true;
}


/* ---------------------------------------------------------------------
 * key encoding
 * ---------------------------------------------------------------------
 */

/* The key encoding of a valid number text. */
static bytea *
EncodeNumberKey(const char *s, int len)
{
	DdbNum		num;
	bytea	   *out;
	unsigned char *p;
	const char *d;
	int			size;
	int			expbyte;
	int			i;

	NumParseValid(s, len, &num);
	if (num.zero)
	{
		out = palloc(VARHDRSZ + 1);
		SET_VARSIZE(out, VARHDRSZ + 1);
		*(unsigned char *) VARDATA(out) = KEY_N_ZERO;
		return out;
	}

	size = 2 + num.ndigits + (num.neg ? 1 : 0);
	out = palloc(VARHDRSZ + size);
	SET_VARSIZE(out, VARHDRSZ + size);
	p = (unsigned char *) VARDATA(out);
	expbyte = (int) num.exp + NUM_EXP_BIAS;
	*p++ = num.neg ? KEY_N_NEGATIVE : KEY_N_POSITIVE;
	*p++ = num.neg ? 255 - expbyte : expbyte;
	d = num.first;
	for (i = 0; i < num.ndigits; i++)
	{
		int			digit = NumNextDigit(&d) - '0';

		*p++ = num.neg ? 254 - digit : digit + 1;
	}
	if (num.neg)
		*p++ = KEY_N_END;
	return out;
}

/*
 * The order-preserving key encoding of an S, N or B value.
 */
bytea *
DdbEncodeKey(const DdbValue *v)
{
	bytea	   *out;

	switch (v->type)
	{
		case DDB_S:
		case DDB_B:
			out = palloc(VARHDRSZ + v->u.str.len);
			SET_VARSIZE(out, VARHDRSZ + v->u.str.len);
			if (v->u.str.len > 0)
				memcpy(VARDATA(out), v->u.str.data, v->u.str.len);
			return out;
		case DDB_N:
			return EncodeNumberKey(v->u.str.data, v->u.str.len);
		default:
			elog(ERROR, "values of type %s cannot be keys", DdbTypeName(v->type));
	}
	return NULL;				/* keep compiler quiet */
}

static void BadNumberKey(void) pg_attribute_noreturn();

/* Report a byte string that is not the key encoding of a number. */
static void
BadNumberKey(void)
{
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
			 errmsg("invalid key encoding of a number")));
}

/*
 * Decode the key encoding of a number.  Only encodings DdbEncodeKey
 * produces are accepted (no leading or trailing zero digits, at most 38
 * digits), so the result is canonical.
 */
static DdbValue *
DecodeNumberKey(const unsigned char *data, int len)
{
	DdbNum		num;
	char		digits[DDB_MAX_NUMBER_DIGITS + 1];
	int			ndigits;
	int			i;

	if (len < 1)
		BadNumberKey();
	memset(&num, 0, sizeof(num));
	switch (data[0])
	{
		case KEY_N_ZERO:
			if (len != 1)
				BadNumberKey();
			return DdbValueMakeString(DDB_N, "0", 1);
		case KEY_N_POSITIVE:
			ndigits = len - 2;
			if (ndigits < 1 || ndigits > DDB_MAX_NUMBER_DIGITS)
				BadNumberKey();
			num.exp = (int) data[1] - NUM_EXP_BIAS;
			for (i = 0; i < ndigits; i++)
			{
				int			b = data[2 + i];

				if (b < 1 || b > 10)
					BadNumberKey();
				digits[i] = '0' + (b - 1);
			}
			break;
		case KEY_N_NEGATIVE:
			ndigits = len - 3;
			if (ndigits < 1 || ndigits > DDB_MAX_NUMBER_DIGITS ||
				data[len - 1] != KEY_N_END)
				BadNumberKey();
			num.neg = true;
			num.exp = (255 - (int) data[1]) - NUM_EXP_BIAS;
			for (i = 0; i < ndigits; i++)
			{
				int			b = data[2 + i];

				if (b < 245 || b > 254)
					BadNumberKey();
				digits[i] = '0' + (254 - b);
			}
			break;
		default:
			BadNumberKey();
	}
	if (digits[0] == '0' || digits[ndigits - 1] == '0' ||
		num.exp > NUM_MAX_EXP || num.exp < NUM_MIN_EXP)
		BadNumberKey();
	digits[ndigits] = '\0';
	num.ndigits = ndigits;
	num.first = digits;
	{
		char	   *text = NumFormat(&num);

		return DdbValueMakeString(DDB_N, text, (int) strlen(text));
	}
}

/*
 * The value of type t whose key encoding is data.
 */
DdbValue *
DdbDecodeKey(DdbType t, const char *data, int len)
{
	switch (t)
	{
		case DDB_S:
		case DDB_B:
			return DdbValueMakeString(t, data, len);
		case DDB_N:
			return DecodeNumberKey((const unsigned char *) data, len);
		default:
			elog(ERROR, "values of type %s cannot be keys", DdbTypeName(t));
	}
	return NULL;				/* keep compiler quiet */
}


/* ---------------------------------------------------------------------
 * text output
 * ---------------------------------------------------------------------
 */

/* Append s as a JSON string literal. */
static void
AppendJsonString(StringInfo buf, const char *s, int len)
{
	int			i;

	appendStringInfoChar(buf, '"');
	for (i = 0; i < len; i++)
	{
		unsigned char c = (unsigned char) s[i];

		switch (c)
		{
			case '"':
				appendStringInfoString(buf, "\\\"");
				break;
			case '\\':
				appendStringInfoString(buf, "\\\\");
				break;
			case '\b':
				appendStringInfoString(buf, "\\b");
				break;
			case '\f':
				appendStringInfoString(buf, "\\f");
				break;
			case '\n':
				appendStringInfoString(buf, "\\n");
				break;
			case '\r':
				appendStringInfoString(buf, "\\r");
				break;
			case '\t':
				appendStringInfoString(buf, "\\t");
				break;
			default:
				if (c < 0x20)
					appendStringInfo(buf, "\\u%04x", (int) c);
				else
					appendStringInfoChar(buf, (char) c);
				break;
		}
	}
	appendStringInfoChar(buf, '"');
}

/* Append a binary value as a JSON string of its base64 text. */
static void
AppendJsonBase64(StringInfo buf, const char *data, int len)
{
	appendStringInfoChar(buf, '"');
	DdbBase64Encode(buf, data, len);
	appendStringInfoChar(buf, '"');
}

/*
 * Append v as typed JSON text, e.g. {"N":"1"}.
 */
void
DdbValueAppendJson(StringInfo buf, const DdbValue *v)
{
	int			i;

	appendStringInfo(buf, "{\"%s\":", DdbTypeName(v->type));
	switch (v->type)
	{
		case DDB_S:
		case DDB_N:
			AppendJsonString(buf, v->u.str.data, v->u.str.len);
			break;
		case DDB_B:
			AppendJsonBase64(buf, v->u.str.data, v->u.str.len);
			break;
		case DDB_BOOL:
			appendStringInfoString(buf, v->u.boolean ? "true" : "false");
			break;
		case DDB_NULL:
			appendStringInfoString(buf, "true");
			break;
		case DDB_M:
			DdbItemAppendJson(buf, v);
			break;
		case DDB_L:
		case DDB_SS:
		case DDB_NS:
		case DDB_BS:
			appendStringInfoChar(buf, '[');
			for (i = 0; i < v->u.list.count; i++)
			{
				const DdbValue *e = v->u.list.elems[i];

				if (i > 0)
					appendStringInfoChar(buf, ',');
				if (v->type == DDB_L)
					DdbValueAppendJson(buf, e);
				else if (v->type == DDB_BS)
					AppendJsonBase64(buf, e->u.str.data, e->u.str.len);
				else
					AppendJsonString(buf, e->u.str.data, e->u.str.len);
			}
			appendStringInfoChar(buf, ']');
			break;
		default:
			elog(ERROR, "unrecognized attribute value type %d", (int) v->type);
	}
	appendStringInfoChar(buf, '}');
}

/*
 * Append a map as a JSON object of name -> typed value.
 */
void
DdbItemAppendJson(StringInfo buf, const DdbValue *item)
{
	int			i;

	Assert(item->type == DDB_M);
	appendStringInfoChar(buf, '{');
	for (i = 0; i < item->u.map.count; i++)
	{
		const DdbMapEntry *e = &item->u.map.entries[i];

		if (i > 0)
			appendStringInfoChar(buf, ',');
		AppendJsonString(buf, e->name, e->namelen);
		appendStringInfoChar(buf, ':');
		DdbValueAppendJson(buf, e->value);
	}
	appendStringInfoChar(buf, '}');
}

/*
 * DynamoDB shows values in messages as {N:2}, {S:dog}; binaries appear as
 * base64, sets and lists in brackets and maps as {M:{name={S:x}, ...}}.
 */
void
DdbValueAppendDisplay(StringInfo buf, const DdbValue *v)
{
	int			i;

	appendStringInfo(buf, "{%s:", DdbTypeName(v->type));
	switch (v->type)
	{
		case DDB_S:
		case DDB_N:
			appendBinaryStringInfo(buf, v->u.str.data, v->u.str.len);
			break;
		case DDB_B:
			DdbBase64Encode(buf, v->u.str.data, v->u.str.len);
			break;
		case DDB_BOOL:
			appendStringInfoString(buf, v->u.boolean ? "true" : "false");
			break;
		case DDB_NULL:
			appendStringInfoString(buf, "true");
			break;
		case DDB_M:
			appendStringInfoChar(buf, '{');
			for (i = 0; i < v->u.map.count; i++)
			{
				if (i > 0)
					appendStringInfoString(buf, ", ");
				appendBinaryStringInfo(buf, v->u.map.entries[i].name,
									   v->u.map.entries[i].namelen);
				appendStringInfoChar(buf, '=');
				DdbValueAppendDisplay(buf, v->u.map.entries[i].value);
			}
			appendStringInfoChar(buf, '}');
			break;
		case DDB_L:
		case DDB_SS:
		case DDB_NS:
		case DDB_BS:
			appendStringInfoChar(buf, '[');
			for (i = 0; i < v->u.list.count; i++)
			{
				const DdbValue *e = v->u.list.elems[i];

				if (i > 0)
					appendStringInfoString(buf, ", ");
				if (v->type == DDB_L)
					DdbValueAppendDisplay(buf, e);
				else if (v->type == DDB_BS)
					DdbBase64Encode(buf, e->u.str.data, e->u.str.len);
				else
					appendBinaryStringInfo(buf, e->u.str.data, e->u.str.len);
			}
			appendStringInfoChar(buf, ']');
			break;
		default:
			elog(ERROR, "unrecognized attribute value type %d", (int) v->type);
	}
	appendStringInfoChar(buf, '}');
}
