/*
 * Dumps the UTS #39 data compiled into ICU (Debian's libicu72: ICU 72.1, Unicode 15.0), which ICU
 * builds from Unicode's confusables.txt and IdentifierStatus.txt:
 *   "unicode <version>"                      the Unicode version of ICU's data
 *   "allowed <first> <last>"                 ranges of Identifier_Status=Allowed: ICU's
 *                                            recommended set (Identifier_Type=Recommended) and
 *                                            its inclusion set (Identifier_Type=Inclusion)
 *   "skeleton <cp> <cp> <cp>..."             uspoof_getSkeleton of one code point, where it differs
 *                                            from the code point and the code point is its own NFD
 * Build and run: see generate.sh beside this file.
 */
#include <stdio.h>
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/uset.h>
#include <unicode/uspoof.h>
#include <unicode/ustring.h>

int main(void) {
  UErrorCode status = U_ZERO_ERROR;
  UVersionInfo version;
  u_getUnicodeVersion(version);
  printf("unicode %d.%d.%d\n", version[0], version[1], version[2]);

  USet *allowed = uset_cloneAsThawed(uspoof_getRecommendedSet(&status));
  uset_addAll(allowed, uspoof_getInclusionSet(&status));
  if (U_FAILURE(status)) return 1;
  int32_t ranges = uset_getItemCount(allowed);
  for (int32_t i = 0; i < ranges; i++) {
    UChar32 start, end;
    uset_getItem(allowed, i, &start, &end, NULL, 0, &status);
    printf("allowed %04X %04X\n", start, end);
  }

  const UNormalizer2 *nfd = unorm2_getNFDInstance(&status);
  USpoofChecker *sc = uspoof_open(&status);
  if (U_FAILURE(status)) return 1;
  for (UChar32 cp = 0; cp <= 0x10FFFF; cp++) {
    if (cp >= 0xD800 && cp <= 0xDFFF) continue;
    if (u_charType(cp) == U_UNASSIGNED) continue;
    UChar in[2];
    int32_t inLen = 0;
    U16_APPEND_UNSAFE(in, inLen, cp);
    UChar norm[64];
    int32_t normLen = unorm2_normalize(nfd, in, inLen, norm, 64, &status);
    if (U_FAILURE(status)) return 1;
    if (normLen != inLen || u_strncmp(norm, in, inLen) != 0) continue;
    UChar out[64];
    int32_t outLen = uspoof_getSkeleton(sc, 0, in, inLen, out, 64, &status);
    if (U_FAILURE(status)) return 1;
    if (outLen == inLen && u_strncmp(out, in, inLen) == 0) continue;
    printf("skeleton %04X", cp);
    for (int32_t i = 0; i < outLen;) {
      UChar32 c;
      U16_NEXT(out, i, outLen, c);
      printf(" %04X", c);
    }
    printf("\n");
  }
  uspoof_close(sc);
  uset_close(allowed);
  return 0;
}
