// The descriptor rules (RULES.md B.1, B.2, C.1 and three of C.2), one file each; where a kernel (B) rule and a
// chapter 9 (C) rule describe the same condition the C file implements it and cites both.
import * as BOS_INVALID from "./BOS_INVALID.js";
import * as CDC_UNION_INTERFACE from "./CDC_UNION_INTERFACE.js";
import * as CFG_ATTR_D7 from "./CFG_ATTR_D7.js";
import * as CFG_ATTR_RESERVED from "./CFG_ATTR_RESERVED.js";
import * as CFG_BLENGTH from "./CFG_BLENGTH.js";
import * as CFG_CONTENTS from "./CFG_CONTENTS.js";
import * as CFG_EXCESS_BYTES from "./CFG_EXCESS_BYTES.js";
import * as CFG_MAXPOWER from "./CFG_MAXPOWER.js";
import * as CFG_NUM_IFS from "./CFG_NUM_IFS.js";
import * as CFG_READ_FAIL from "./CFG_READ_FAIL.js";
import * as CFG_TOTAL_LENGTH_MISMATCH from "./CFG_TOTAL_LENGTH_MISMATCH.js";
import * as CTRL_DESC_TRUNCATION from "./CTRL_DESC_TRUNCATION.js";
import * as DESC_BLENGTH_INVALID from "./DESC_BLENGTH_INVALID.js";
import * as DEV_BCDUSB from "./DEV_BCDUSB.js";
import * as DEV_BCDUSB_BOS from "./DEV_BCDUSB_BOS.js";
import * as DEV_BLENGTH from "./DEV_BLENGTH.js";
import * as DEV_IAD_CLASS from "./DEV_IAD_CLASS.js";
import * as DEV_MPS0 from "./DEV_MPS0.js";
import * as DEV_NUM_CONFIGS from "./DEV_NUM_CONFIGS.js";
import * as DEV_SUBCLASS_ZERO from "./DEV_SUBCLASS_ZERO.js";
import * as ENUM_CONFIG_FAIL from "./ENUM_CONFIG_FAIL.js";
import * as ENUM_DEVDESC_ALL_FAIL from "./ENUM_DEVDESC_ALL_FAIL.js";
import * as ENUM_DEVDESC_PROBE_FAIL from "./ENUM_DEVDESC_PROBE_FAIL.js";
import * as ENUM_EP0_MPS_CHANGED from "./ENUM_EP0_MPS_CHANGED.js";
import * as ENUM_GAVE_UP from "./ENUM_GAVE_UP.js";
import * as ENUM_NOT_TOP_SPEED from "./ENUM_NOT_TOP_SPEED.js";
import * as ENUM_NO_TT from "./ENUM_NO_TT.js";
import * as ENUM_SET_ADDRESS_FAIL from "./ENUM_SET_ADDRESS_FAIL.js";
import * as EP_ADDR from "./EP_ADDR.js";
import * as EP_ATTR_RESERVED from "./EP_ATTR_RESERVED.js";
import * as EP_BINTERVAL from "./EP_BINTERVAL.js";
import * as EP_BINTERVAL_HS_MS from "./EP_BINTERVAL_HS_MS.js";
import * as EP_BLENGTH from "./EP_BLENGTH.js";
import * as EP_DUPLICATE from "./EP_DUPLICATE.js";
import * as EP_ISO_ALT0 from "./EP_ISO_ALT0.js";
import * as EP_MPS_LIMITS from "./EP_MPS_LIMITS.js";
import * as EP_MPS_RESERVED from "./EP_MPS_RESERVED.js";
import * as EP_MPS_ZERO from "./EP_MPS_ZERO.js";
import * as GETDESC_IF_EP from "./GETDESC_IF_EP.js";
import * as HID_FIELD_SIZE from "./HID_FIELD_SIZE.js";
import * as HID_LOGICAL_RANGE from "./HID_LOGICAL_RANGE.js";
import * as IAD_COVERAGE from "./IAD_COVERAGE.js";
import * as IAD_MISSING from "./IAD_MISSING.js";
import * as IAD_PLACEMENT from "./IAD_PLACEMENT.js";
import * as IF_BLENGTH from "./IF_BLENGTH.js";
import * as IF_NUMBERING from "./IF_NUMBERING.js";
import * as IF_NUM_EPS from "./IF_NUM_EPS.js";
import * as LINUX_LIMITS from "./LINUX_LIMITS.js";
import * as QUALIFIER from "./QUALIFIER.js";
import * as STD_GET_RESPONSES from "./STD_GET_RESPONSES.js";
import * as STR0_FORMAT from "./STR0_FORMAT.js";
import * as STR_DANGLING_INDEX from "./STR_DANGLING_INDEX.js";
import * as STR_FORMAT from "./STR_FORMAT.js";
import * as STR_NO_LANGID from "./STR_NO_LANGID.js";
import type { DescriptorRule } from "./context.js";

export const descriptorRules: readonly DescriptorRule[] = [
  BOS_INVALID,
  CDC_UNION_INTERFACE,
  CFG_ATTR_D7,
  CFG_ATTR_RESERVED,
  CFG_BLENGTH,
  CFG_CONTENTS,
  CFG_EXCESS_BYTES,
  CFG_MAXPOWER,
  CFG_NUM_IFS,
  CFG_READ_FAIL,
  CFG_TOTAL_LENGTH_MISMATCH,
  CTRL_DESC_TRUNCATION,
  DESC_BLENGTH_INVALID,
  DEV_BCDUSB,
  DEV_BCDUSB_BOS,
  DEV_BLENGTH,
  DEV_IAD_CLASS,
  DEV_MPS0,
  DEV_NUM_CONFIGS,
  DEV_SUBCLASS_ZERO,
  ENUM_CONFIG_FAIL,
  ENUM_DEVDESC_ALL_FAIL,
  ENUM_DEVDESC_PROBE_FAIL,
  ENUM_EP0_MPS_CHANGED,
  ENUM_GAVE_UP,
  ENUM_NOT_TOP_SPEED,
  ENUM_NO_TT,
  ENUM_SET_ADDRESS_FAIL,
  EP_ADDR,
  EP_ATTR_RESERVED,
  EP_BINTERVAL,
  EP_BINTERVAL_HS_MS,
  EP_BLENGTH,
  EP_DUPLICATE,
  EP_ISO_ALT0,
  EP_MPS_LIMITS,
  EP_MPS_RESERVED,
  EP_MPS_ZERO,
  GETDESC_IF_EP,
  HID_FIELD_SIZE,
  HID_LOGICAL_RANGE,
  IAD_COVERAGE,
  IAD_MISSING,
  IAD_PLACEMENT,
  IF_BLENGTH,
  IF_NUMBERING,
  IF_NUM_EPS,
  LINUX_LIMITS,
  QUALIFIER,
  STD_GET_RESPONSES,
  STR0_FORMAT,
  STR_DANGLING_INDEX,
  STR_FORMAT,
  STR_NO_LANGID,
];

export type { DescriptorRule, DescriptorRuleContext, RuleHit, FieldRef } from "./context.js";
