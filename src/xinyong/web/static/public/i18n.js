// 公众信用门户 — UI strings, Chinese first with an English switch (issue 11 item 4). Data (names of subjects,
// industries, departments, catalogue items) is shown as stored; dates stay YYYY-MM-DD whatever the locale.

const KEY = "xy-public-lang";

const zh = {
  title: "北京市规划和自然资源领域信用信息公示",
  brand: "信用信息公示", skip: "跳到主要内容", switchLang: "English", navLabel: "主导航",
  navSearch: "信用查询", navRankings: "排行榜", navStandards: "评价标准", navMeasures: "措施清单",
  navAccount: "异议与信用修复",
  footer: "依据《北京市规划和自然资源领域信用评价及分级分类监管办法》（京规自发〔2024〕122号）公示。个人身份证号码不完整显示。",
  loading: "加载中…", failed: "加载失败", none: "暂无",
  // search and subject page
  searchTitle: "查询评价对象", searchLabel: "名称或统一社会信用代码",
  searchHint: "个人仅可按姓名或完整身份证号码查询。", searchBtn: "查询",
  resultsCount: "共 {n} 条结果", noResults: "未找到符合条件的评价对象。", more: "下一页", prev: "上一页",
  colName: "名称", colCode: "代码", colKind: "类型", colGrade: "等级", colLevel: "级别",
  organization: "单位", individual: "个人", notEvaluated: "尚未评价",
  gradesTitle: "信用评价结果", gradesNote: "按评价标准实时计算（第十三条）；熔断项目直接评为D级（第十六条）。",
  colScope: "评价范围", colScore: "分值", colFused: "熔断", yes: "是", no: "否", asOf: "评价日期",
  recordsTitle: "公开信用记录",
  recordsNote: "已撤销、经异议核实撤销、已信用修复或已更正的记录不予公示；异议处理期间记录照常计分（第十八条）。"
    + "不良信用信息按国家规定的公示期限公示，期满不再公示。",
  recordsShown: "显示 {shown} / 共 {total} 条", colDate: "行为日期", colItem: "事项", colPolarity: "性质",
  colDept: "认定部门", colDecision: "文书编号", colStatus: "状态", good: "加分", bad: "减分",
  underObjection: "异议处理中", inEffect: "有效", objectThis: "对此记录提出异议", shownUntil: "公示至 {day}",
  back: "返回查询",
  // rankings, measures, standards
  rankingsTitle: "信用排行榜", rankingsNote: "经主管领导审定后发布（第十七条）。", noRankings: "暂无已发布的排行榜。",
  colRank: "名次", colIndustry: "行业", published: "发布",
  measuresTitle: "分级分类监管措施清单", measuresNote: "统筹部门汇总公布（第二十条、第二十一条、第二十四条）。",
  kindLabel: "清单类别", punishment: "失信惩戒措施", incentive: "守信激励措施", showBtn: "显示",
  colProcess: "应用事项", colMeasure: "措施", colBasis: "依据", colCategory: "实施类别", colDeptImpl: "实施部门",
  noMeasures: "暂无在用的措施清单。",
  standardsTitle: "评价标准", standardsNote: "现行标准及公开征求意见的草案（第十二条，征求意见不少于15日）。",
  colVersion: "版本", colStandard: "标准名称", colEffective: "施行日期", colConsultation: "征求意见期",
  general: "通用", in_force: "现行有效", approved: "已审定待施行", consultation: "征求意见中",
  showItems: "查看指标", colPoints: "分值",
  commentTitle: "提交意见：{v}", commentName: "姓名或单位（可选）", commentContact: "联系方式（可选，仅工作人员可见）",
  commentText: "意见内容", commentBtn: "提交意见", commentDone: "意见已收到（编号 {id}），感谢参与。",
  consultationClosed: "不在征求意见期内",
  // account and cases
  accountTitle: "异议与信用修复", loginTitle: "评价对象登录",
  loginNote: "评价对象本人登录后，可对本单位的信用记录或评价结果提出异议、申请信用修复，并查看办理进度（第十八条）。",
  username: "用户名", password: "密码", loginBtn: "登录", logoutBtn: "退出登录",
  notSubject: "该账号不是评价对象账号，请使用评价对象账号登录。",
  signedInAs: "当前账号：{name}（{code}）", myPage: "查看本单位公开信息",
  fileTitle: "提出申请", kindObjection: "异议", kindRepair: "信用修复", caseKind: "申请类型",
  targetLabel: "申请对象", targetEval: "评价结果：{scope}", targetRecord: "记录 #{id} {date} {item}",
  statement: "申请事项及理由", evidence: "证明材料（PDF、JPEG、PNG、OFD，可选）", fileBtn: "提交申请",
  filed: "申请已提交，案件编号 {id}。", evidenceDone: "证明材料已上传：{name}",
  myCases: "我的申请", noCases: "暂无申请。", colCase: "编号", colTarget: "对象", colState: "办理状态",
  colReceived: "受理日期", colDue: "当前环节期限", colOutcome: "结果", overdue: "已逾期",
  upheld: "成立", rejectedOutcome: "不成立", caseTitle: "案件 #{id}", timeline: "办理过程",
  evidenceList: "证明材料", addEvidence: "补充证明材料", uploadBtn: "上传", opinion: "审核意见",
  objection: "异议", repair: "信用修复", recordRef: "记录 #{id}", listingRef: "名单 #{id}",
  st_received: "已受理", st_routed: "已转办", st_under_verification: "核实中", st_opinion_issued: "已出具审核意见",
  st_reported_to_credit_authority: "已反馈市信用主管部门", st_repaired: "已修复", st_rejected: "不予支持",
  st_closed: "已结案",
  pr_administrative_approval: "行政审批", pr_qualification_review: "资质审核",
  pr_procurement_bidding: "政府采购和招标投标", pr_award: "评优评先", pr_standard_drafting: "申报制定规划自然资源标准",
  pr_land_transaction: "土地交易", pr_inspection: "监督检查",
  errorPrefix: "未能完成：",
};

const en = {
  title: "Beijing Planning and Natural Resources — Public Credit Information",
  brand: "Public credit information", skip: "Skip to main content", switchLang: "中文", navLabel: "Main navigation",
  navSearch: "Search", navRankings: "Rankings", navStandards: "Standards", navMeasures: "Measures lists",
  navAccount: "Objections and repair",
  footer: "Published under the Beijing measures for credit evaluation in planning and natural resources "
    + "(京规自发〔2024〕122号). Individuals' ID numbers are never shown in full.",
  loading: "Loading…", failed: "Could not load", none: "None",
  searchTitle: "Find an evaluated subject", searchLabel: "Name or unified social credit code",
  searchHint: "Individuals are found only by name or by their whole ID number.", searchBtn: "Search",
  resultsCount: "{n} results", noResults: "No subject matches.", more: "Next page", prev: "Previous page",
  colName: "Name", colCode: "Code", colKind: "Kind", colGrade: "Grade", colLevel: "Level",
  organization: "Organisation", individual: "Individual", notEvaluated: "Not evaluated yet",
  gradesTitle: "Credit evaluation", gradesNote: "Computed in real time (Art.13); a fuse sets grade D (Art.16).",
  colScope: "Scope", colScore: "Score", colFused: "Fuse", yes: "Yes", no: "No", asOf: "As of",
  recordsTitle: "Public credit records",
  recordsNote: "Records withdrawn, withdrawn after an objection, repaired or corrected are not published; a record "
    + "under objection still counts (Art.18). Bad records are published for the period the national rules set.",
  recordsShown: "{shown} of {total} shown", colDate: "Act date", colItem: "Item", colPolarity: "Kind",
  colDept: "Department", colDecision: "Decision no.", colStatus: "Status", good: "Bonus", bad: "Deduction",
  underObjection: "Under objection", inEffect: "In effect", objectThis: "Object to this record",
  shownUntil: "Shown until {day}",
  back: "Back to search",
  rankingsTitle: "Credit rankings", rankingsNote: "Published after the leader's approval (Art.17).",
  noRankings: "No ranking has been published yet.", colRank: "Rank", colIndustry: "Industry", published: "Published",
  measuresTitle: "Supervision measures lists", measuresNote: "Consolidated by the coordinating department (Art.20, 21, 24).",
  kindLabel: "List", punishment: "Measures against dishonesty", incentive: "Incentives for honesty", showBtn: "Show",
  colProcess: "Process", colMeasure: "Measure", colBasis: "Basis", colCategory: "Category", colDeptImpl: "Department",
  noMeasures: "No measures list is in use.",
  standardsTitle: "Evaluation standards",
  standardsNote: "Standards in force and drafts under public consultation (Art.12, at least 15 days).",
  colVersion: "Version", colStandard: "Standard", colEffective: "In force from", colConsultation: "Consultation",
  general: "General", in_force: "In force", approved: "Approved, not yet in force", consultation: "Under consultation",
  showItems: "Show indicators", colPoints: "Points",
  commentTitle: "Comment on {v}", commentName: "Name or organisation (optional)",
  commentContact: "Contact (optional, shown to staff only)", commentText: "Your comment", commentBtn: "Send comment",
  commentDone: "Comment received (no. {id}). Thank you.", consultationClosed: "Not open for comments",
  accountTitle: "Objections and credit repair", loginTitle: "Sign in as an evaluated subject",
  loginNote: "Once signed in, an evaluated subject may object to its records or evaluation, apply for credit repair "
    + "and follow its cases (Art.18).",
  username: "User name", password: "Password", loginBtn: "Sign in", logoutBtn: "Sign out",
  notSubject: "This is not a subject account; sign in with the subject's own account.",
  signedInAs: "Signed in: {name} ({code})", myPage: "Our public page",
  fileTitle: "New application", kindObjection: "Objection", kindRepair: "Credit repair", caseKind: "Kind",
  targetLabel: "About", targetEval: "Evaluation: {scope}", targetRecord: "Record #{id} {date} {item}",
  statement: "What and why", evidence: "Evidence (PDF, JPEG, PNG, OFD; optional)", fileBtn: "Submit",
  filed: "Application submitted: case {id}.", evidenceDone: "Evidence uploaded: {name}",
  myCases: "My applications", noCases: "No application yet.", colCase: "No.", colTarget: "About",
  colState: "State", colReceived: "Received", colDue: "Due", colOutcome: "Outcome", overdue: "Overdue",
  upheld: "Upheld", rejectedOutcome: "Rejected", caseTitle: "Case {id}", timeline: "Steps",
  evidenceList: "Evidence", addEvidence: "Add evidence", uploadBtn: "Upload", opinion: "Opinion",
  objection: "Objection", repair: "Credit repair", recordRef: "Record #{id}", listingRef: "Listing #{id}",
  st_received: "Received", st_routed: "Routed", st_under_verification: "Under verification",
  st_opinion_issued: "Opinion issued", st_reported_to_credit_authority: "Reported to the credit authority",
  st_repaired: "Repaired", st_rejected: "Rejected", st_closed: "Closed",
  pr_administrative_approval: "Administrative approval", pr_qualification_review: "Qualification review",
  pr_procurement_bidding: "Procurement and bidding", pr_award: "Awards",
  pr_standard_drafting: "Standard drafting", pr_land_transaction: "Land transactions", pr_inspection: "Inspections",
  errorPrefix: "Not done: ",
};

const DICT = { zh, en };
let current = localStorage.getItem(KEY) === "en" ? "en" : "zh";

export function lang() { return current; }

export function setLang(value) {
  current = value === "en" ? "en" : "zh";
  localStorage.setItem(KEY, current);
  document.documentElement.lang = current === "zh" ? "zh-CN" : "en";
}

/** The string `key` in the current language, with {name} placeholders filled from `vars`. */
export function t(key, vars = {}) {
  const text = DICT[current][key] ?? DICT.zh[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_m, name) => String(vars[name] ?? ""));
}

/** YYYY-MM-DD whatever the browser locale (issue 11 item 4). */
export function day(value) { return value ? String(value).slice(0, 10) : "—"; }

/** Fill every [data-i18n] element under `root` (the static shell of index.html). */
export function translateStatic(root = document) {
  root.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = t(el.dataset.i18n); });
  root.querySelectorAll("[data-i18n-label]").forEach((el) => { el.setAttribute("aria-label", t(el.dataset.i18nLabel)); });
  document.title = t("title");
}
